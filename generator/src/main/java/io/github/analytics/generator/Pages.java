package io.github.analytics.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Every page path of the synthetic shop, built once as shared string instances. */
final class Pages {
  static final String HOME = "/";
  static final String CART = "/cart";
  static final String CHECKOUT = "/checkout";

  /** {@code /products/N} at index N (index 0 unused). */
  final List<String> products;
  final List<String> categories;
  final List<String> searches;

  Pages() {
    List<String> p = new ArrayList<>(Catalog.PRODUCTS + 1);
    p.add(HOME);
    for (int i = 1; i <= Catalog.PRODUCTS; i++) {
      p.add("/products/" + i);
    }
    products = List.copyOf(p);
    List<String> c = new ArrayList<>();
    for (String category : Catalog.CATEGORIES) {
      c.add("/category/" + category);
    }
    categories = List.copyOf(c);
    List<String> s = new ArrayList<>();
    for (String term : Catalog.SEARCH_TERMS) {
      s.add("/search?q=" + term);
    }
    searches = List.copyOf(s);
  }

  /** A page a visitor lands on: mostly products (popular ones more), then categories, home, searches. */
  String random(SplittableRandom r) {
    int kind = r.nextInt(100);
    if (kind < 55) {
      return product(1 + (int) (Catalog.PRODUCTS * Math.pow(r.nextDouble(), 2)));
    } else if (kind < 75) {
      return categories.get(r.nextInt(categories.size()));
    } else if (kind < 88) {
      return HOME;
    } else if (kind < 96) {
      return searches.get(r.nextInt(searches.size()));
    } else {
      return CART;
    }
  }

  /** {@code /products/N}, the last product for any N beyond it. */
  String product(int product) {
    return products.get(Math.min(product, Catalog.PRODUCTS));
  }
}
