package io.github.analytics.generator;

import java.util.ArrayList;
import java.util.List;

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
}
