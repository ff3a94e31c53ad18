package dev.petrel.config;

import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The value of every option of one table, defaults included, as one main section or driver instance
 * resolved them.
 *
 * @param values by declaration; null where an option is unset
 * @param written the names of the options the file set
 */
public record OptionValues(OptionTable table, Map<Option<?>, Object> values, Set<String> written) {

    public OptionValues {
        values = Collections.unmodifiableMap(new HashMap<>(values));
        written = Set.copyOf(written);
    }

    /** The typed value; null when unset. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        if (!values.containsKey(option)) {
            throw new IllegalArgumentException("option " + option.name() + " is not in the " + table.name() + " table");
        }
        return (T) values.get(option);
    }

    /** Whether the file set it (to anything, even its default). */
    public boolean isSet(Option<?> option) {
        return written.contains(option.name());
    }

    /**
     * Every option Petrel acts on as {@code name = value} lines, in alphabetical order as {@code exim -bP}
     * lists them, each ending in a newline.
     */
    public String describe() {
        return table.options().stream()
                .filter(Option::implemented)
                .sorted(Comparator.comparing(Option::name))
                .map(o -> line(o) + "\n")
                .collect(Collectors.joining());
    }

    /**
     * One option as {@code name = value}, looked up by name or alias; empty if the table has no such option
     * or Petrel does not act on it yet.
     */
    public Optional<String> describe(String name) {
        return table.find(name).filter(Option::implemented).map(this::line);
    }

    private <T> String line(Option<T> option) {
        String value = option.type().print(get(option));
        // An unset option prints as "name =", like exim -bP, with no trailing space.
        return value.isEmpty() ? option.name() + " =" : option.name() + " = " + value;
    }
}
