package dev.petrel.config;

/**
 * How an option's text becomes a value and how the value prints, as Exim's {@code opt_*} types do.
 * The types themselves are in {@link OptionTypes}.
 *
 * @param <T> the value's Java type; null stands for "unset"
 */
public interface OptionType<T> {
    /**
     * Reads a value as written (after unquoting, never null).
     *
     * @param context what a value may depend on: named lists, {@code @}, options read before this one
     * @throws IllegalArgumentException with a reason fit for the operator; the caller adds file and line
     */
    T parse(String text, OptionContext context);

    /** The value as {@code petrel config} shows it; null (unset) shows as nothing. */
    String print(T value);

    /** The value of an option with neither a setting nor a default: null, but an empty list for lists. */
    default T unset() {
        return null;
    }

    /**
     * For an option whose setting written again adds to the value instead of replacing it, the separator the
     * settings are joined with: a newline for Exim's {@code headers_add}, a colon for {@code headers_remove}.
     * Null (the rule) for last one wins.
     */
    default String joiner() {
        return null;
    }

    /** Only booleans may be written bare ({@code name}, {@code no_name}). */
    default boolean isBoolean() {
        return false;
    }
}
