package io.github.analytics.transforms.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link DuplicateKeys} against a stack of hash sets, one per open object, as Jackson keeps them.
 */
class DuplicateKeysTest {
  @Test
  void randomNestingsOfObjectsAndKeys() {
    SplittableRandom random = new SplittableRandom(11L);
    DuplicateKeys keys = new DuplicateKeys();
    for (int document = 0; document < 2_000; document++) {
      keys.reset();
      Deque<Set<String>> model = new ArrayDeque<>();
      keys.enterObject();
      model.push(new HashSet<>());
      int steps = random.nextInt(400);
      // Few distinct keys, so repeats are common; objects of up to about 50 keys cross the limit
      // where the key array gives way to a hash set.
      int alphabet = 1 + random.nextInt(60);
      for (int step = 0; step < steps; step++) {
        int action = random.nextInt(10);
        if (action == 0 && model.size() < 40) {
          keys.enterObject();
          model.push(new HashSet<>());
        } else if (action == 1 && model.size() > 1) {
          keys.exitObject();
          model.pop();
        } else {
          // new String: equal keys need not be the same instance.
          String key = new String("k" + random.nextInt(alphabet));
          assertEquals(model.peek().add(key), keys.add(key), () -> "key " + key);
        }
      }
    }
  }
}
