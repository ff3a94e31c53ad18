package dev.petrel.config;

import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One option as declared in its {@link OptionTable}: the single place that says what it is called, how its
 * text is read and printed, and what it is when the file does not set it.
 *
 * @param defaultText the default as an operator would write it; null for unset
 * @param computed the value when unset (or set empty) and the default depends on other settings, such as
 *     {@code qualify_domain} being {@code primary_hostname}; null when {@code defaultText} says it all
 * @param requirement what a value must also satisfy, beyond its type; null for nothing more
 * @param implemented false for an option Petrel knows but does not act on yet: setting it is an error
 *     rather than a setting silently ignored
 * @param alias another name the option may be written under ({@code daemon_smtp_port}), or null
 */
public record Option<T>(String name, OptionType<T> type, String defaultText, Function<OptionContext, T> computed,
                        Requirement<T> requirement, boolean implemented, String alias) {

    /**
     * A condition on the value, which may look at other options, with the words that complete
     * {@code main option "x" ...} when it fails.
     */
    public record Requirement<T>(BiPredicate<T, OptionContext> test, String failure) {}

    public Option {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    public static <T> Option<T> of(String name, OptionType<T> type, String defaultText) {
        return new Option<>(name, type, defaultText, null, null, true, null);
    }

    /** The default is worked out from other settings (and from the host) when the option is unset. */
    public Option<T> computed(Function<OptionContext, T> fallback) {
        return new Option<>(name, type, defaultText, fallback, requirement, implemented, alias);
    }

    public Option<T> require(Predicate<T> test, String failure) {
        return require((value, context) -> test.test(value), failure);
    }

    /** A condition that involves other options, such as one option needing another to be set. */
    public Option<T> require(BiPredicate<T, OptionContext> test, String failure) {
        return new Option<>(name, type, defaultText, computed, new Requirement<>(test, failure), implemented, alias);
    }

    /** Declared so that it is recognised, documented and printed, but refused when set. */
    public Option<T> notImplemented() {
        return new Option<>(name, type, defaultText, computed, requirement, false, alias);
    }

    public Option<T> alias(String other) {
        return new Option<>(name, type, defaultText, computed, requirement, implemented, other);
    }

    /**
     * Each declaration is its own key: main's {@code tls_resumption_hosts} and the smtp transport's are
     * declared alike but must never answer for each other.
     */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return name;
    }
}
