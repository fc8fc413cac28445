package io.github.analytics.transforms.ingest;

import java.util.Arrays;
import java.util.HashSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The keys seen in each JSON object being read, innermost last, to refuse a key repeated within one
 * object: what Jackson's {@code STRICT_DUPLICATE_DETECTION} does, which {@link EventParser} must
 * keep (a duplicate key is {@code MALFORMED_JSON}).
 *
 * <p>Why not Jackson's: its detector allocates a {@code HashSet} for every object of more than two
 * keys and hashes every key, which was the largest single cost of reading a payload. Here the keys
 * of all open objects share one reusable array and a key is compared with those of its own object,
 * which is cheaper for the few keys objects of an event have; an object that grows past {@link
 * #LINEAR_LIMIT} keys gets a hash set, so that a payload of thousands of keys still costs linear
 * time. Key strings come from Jackson's canonicalizing symbol table, so equal keys are usually the
 * same instance and {@code equals} returns at its identity check.
 */
final class DuplicateKeys {
  /** Keys per object compared one by one; beyond, the object's keys go into a hash set. */
  static final int LINEAR_LIMIT = 16;

  /** The keys of every open object, outermost first. */
  private String[] keys = new String[64];

  private int size;

  /** Per open object: where its keys start in {@link #keys}, and its hash set once it has one. */
  private int[] starts = new int[16];

  private @Nullable HashSet<String>[] sets = newSets(16);
  private int depth;

  @SuppressWarnings("unchecked")
  private static @Nullable HashSet<String>[] newSets(int length) {
    return (HashSet<String>[]) new HashSet<?>[length];
  }

  /** Forgets every object: before a new document, or after a failed one. */
  void reset() {
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(sets, 0, depth, null);
    size = 0;
    depth = 0;
  }

  /** An object starts: its keys are compared with each other only. */
  void enterObject() {
    if (depth == starts.length) {
      starts = Arrays.copyOf(starts, depth * 2);
      sets = Arrays.copyOf(sets, depth * 2);
    }
    starts[depth] = size;
    sets[depth] = null;
    depth++;
  }

  /** The innermost object ends. */
  void exitObject() {
    depth--;
    int start = starts[depth];
    Arrays.fill(keys, start, size, null);
    size = start;
    sets[depth] = null;
  }

  /** Adds a key to the innermost object; false when the object already has it. */
  boolean add(String key) {
    int start = starts[depth - 1];
    HashSet<String> set = sets[depth - 1];
    if (set != null) {
      return set.add(key);
    }
    int count = size - start;
    for (int i = start; i < size; i++) {
      if (keys[i].equals(key)) {
        return false;
      }
    }
    if (count == LINEAR_LIMIT) {
      set = new HashSet<>(4 * LINEAR_LIMIT);
      for (int i = start; i < size; i++) {
        set.add(keys[i]);
      }
      set.add(key);
      sets[depth - 1] = set;
      return true;
    }
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
    }
    keys[size++] = key;
    return true;
  }
}
