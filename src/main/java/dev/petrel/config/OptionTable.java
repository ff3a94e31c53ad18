package dev.petrel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of the main section or of one driver, in declaration order, like Exim's {@code optionlist}
 * arrays and Postfix's {@code CONFIG_*_TABLE}s. A driver's table extends the generic one of its kind
 * (every router has {@code domains}). Tables are filled by their declaring class's static fields and
 * never change afterwards.
 */
public final class OptionTable {
    private final String name;
    private final OptionTable generic;
    private final Map<String, Option<?>> own = new LinkedHashMap<>();
    private final Map<String, Option<?>> aliases = new LinkedHashMap<>();

    /** @param generic the options every driver of this kind has, or null */
    public OptionTable(String name, OptionTable generic) {
        this.name = name;
        this.generic = generic;
    }

    public String name() {
        return name;
    }

    /** Declares an option; the declaration returned is the key its value is read back with. */
    public <T> Option<T> add(Option<T> option) {
        if (find(option.name()).isPresent() || option.alias() != null && find(option.alias()).isPresent()) {
            throw new IllegalStateException(name + ": option " + option.name() + " is declared twice");
        }
        own.put(option.name(), option);
        if (option.alias() != null) {
            aliases.put(option.alias(), option);
        }
        return option;
    }

    public <T> Option<T> add(String optionName, OptionType<T> type, String defaultText) {
        return add(Option.of(optionName, type, defaultText));
    }

    /** The option under its name or alias. */
    public Optional<Option<?>> find(String optionName) {
        Option<?> o = own.get(optionName);
        if (o == null) {
            o = aliases.get(optionName);
        }
        if (o == null && generic != null) {
            return generic.find(optionName);
        }
        return Optional.ofNullable(o);
    }

    /** Every option, the generic ones first, each in declaration order (the order values are worked out in). */
    public List<Option<?>> options() {
        List<Option<?>> all = new ArrayList<>(generic == null ? List.of() : generic.options());
        all.addAll(own.values());
        return Collections.unmodifiableList(all);
    }

    /**
     * A line as written turned into a setting of a declared option under its own name, with bare booleans
     * made explicit: {@code name} is {@code name = true}, {@code no_name} and {@code not_name} are
     * {@code name = false}. The one place where {@code no_} is understood.
     */
    Setting canonical(Setting s, OptionScope scope) throws ConfigException {
        Optional<Option<?>> found = find(s.name());
        String value = s.value();
        if (found.isEmpty()) {
            String base = s.name().startsWith("no_") ? s.name().substring(3)
                    : s.name().startsWith("not_") ? s.name().substring(4) : null;
            found = base == null ? Optional.empty() : find(base).filter(o -> o.type().isBoolean());
            if (found.isEmpty()) {
                throw scope.error(s.line(), scope.subject(s.name()) + " unknown" + scope.unknownSuffix());
            }
            if (!s.bare()) {
                throw scope.error(s.line(), scope.prefix() + "\"" + s.name() + "\" cannot be given a value; write "
                        + base + " = false");
            }
            value = "false";
        } else if (s.bare()) {
            if (!found.get().type().isBoolean()) {
                String canonical = found.get().name();
                throw scope.error(s.line(), scope.subject(canonical) + " needs a value (" + canonical + " = ...)");
            }
            value = "true";
        }
        Option<?> option = found.get();
        if (!option.implemented()) {
            throw scope.error(s.line(), scope.subject(option.name()) + " is not implemented yet");
        }
        return new Setting(option.name(), value, s.line());
    }
}
