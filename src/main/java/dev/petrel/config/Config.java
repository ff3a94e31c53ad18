package dev.petrel.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed configuration, written in a subset of Exim's syntax.
 *
 * <p>The file has a main section of {@code name = value} options, named lists
 * ({@code domainlist NAME = ...}, {@code hostlist NAME = ...}) and macros ({@code NAME = value} with an
 * upper-case first letter, replaced as whole words in later lines), then {@code begin routers} and
 * {@code begin transports} sections of driver instances, each a {@code name:} line followed by its
 * options. Comments start a line with {@code #}; a trailing {@code \} continues a line; a value may be
 * double-quoted to use backslash escapes. Booleans may be written bare ({@code name}, {@code no_name},
 * {@code not_name}) or as {@code name = true|false|yes|no}.
 *
 * <p>{@code begin retry} holds Exim's retry rules ({@link RetryRules}); a file without it gets Exim's
 * default rule. {@code begin acl}, {@code begin rewrite} and {@code begin authenticators} are
 * accepted and their contents ignored: Petrel has no ACL language,
 * does not rewrite addresses and offers no authenticators configured this way. {@code .include} and
 * {@code .ifdef}-style directives are rejected. Any error — unknown option, driver or section, bad
 * value, undefined transport, an option Petrel knows but does not act on yet — is a {@link ConfigException}
 * naming the file and line.
 *
 * <p>Every option is declared once, with its type and default, in {@link MainOptions}, {@link RouterOptions}
 * and {@link TransportOptions}; parsing, defaults, {@code no_} booleans and {@code petrel config} all work
 * from those tables.
 *
 * @param source the file path, or {@code "(embedded default)"}
 * @param routers in file order
 * @param transports by name, in file order
 * @param retry the retry rules, in file order
 */
public record Config(String source, MainConfig main, List<RouterConfig> routers, Map<String, TransportConfig> transports,
                     RetryRules retry) {

    public static final String EMBEDDED_SOURCE = "(embedded default)";

    public Config {
        routers = List.copyOf(routers);
        transports = Collections.unmodifiableMap(new LinkedHashMap<>(transports));
    }

    public static Config load(Path file) throws ConfigException, IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    public static Config parse(String text, String source) throws ConfigException {
        return ConfigParser.parse(text, source);
    }

    /** The configuration shipped inside the jar, so that {@code petrel daemon} runs with no file at all. */
    public static Config embeddedDefault() {
        try {
            return parse(embeddedDefaultText(), EMBEDDED_SOURCE);
        } catch (ConfigException e) {
            throw new IllegalStateException("the embedded default configuration is broken: " + e.getMessage(), e);
        }
    }

    /** The text of the embedded default, for operators who want a starting point ({@code petrel config --default}). */
    public static String embeddedDefaultText() {
        try (InputStream in = Config.class.getResourceAsStream("default.conf")) {
            if (in == null) {
                throw new IllegalStateException("resource dev/petrel/config/default.conf is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every main option as {@code name = value} lines, defaults included, in alphabetical order as
     * {@code exim -bP} lists them, each ending in a newline.
     */
    public String describe() {
        return main.options().describe();
    }

    /** One main option as {@code name = value}; empty if there is no such option. */
    public Optional<String> describe(String optionName) {
        return main.options().describe(optionName);
    }

    /** The router of that name. */
    public Optional<RouterConfig> router(String name) {
        return routers.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The transport a router names, if it names one that exists. */
    public Optional<TransportConfig> transportFor(RouterConfig router) {
        return Optional.ofNullable(router.transport()).map(transports::get);
    }
}
