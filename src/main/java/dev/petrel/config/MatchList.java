package dev.petrel.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The matching rule every Exim list shares, whatever its items are: items are tried left to right and the
 * first that matches decides, a plain item putting the value in the list and a {@code !item} keeping it
 * out; when nothing matches, the value is in the list only if the last item was negative (a list ending in
 * {@code !x} behaves as if {@code : *} followed).
 */
final class MatchList<T> {
    private record Entry<T>(boolean negated, Predicate<T> item) {}

    private final List<Entry<T>> entries;

    private MatchList(List<Entry<T>> entries) {
        this.entries = List.copyOf(entries);
    }

    static <T> MatchList<T> empty() {
        return new MatchList<>(List.of());
    }

    /** @param item turns one item, without its {@code !}, into its test; throws IllegalArgumentException */
    static <T> MatchList<T> parse(String text, Function<String, Predicate<T>> item) {
        List<Entry<T>> entries = new ArrayList<>();
        for (String raw : EximList.split(text)) {
            boolean negated = raw.startsWith("!");
            entries.add(new Entry<>(negated, item.apply(negated ? raw.substring(1).strip() : raw)));
        }
        return new MatchList<>(entries);
    }

    boolean matches(T value) {
        for (Entry<T> e : entries) {
            if (e.item().test(value)) {
                return !e.negated();
            }
        }
        return !entries.isEmpty() && entries.getLast().negated();
    }
}
