package dev.petrel.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The second reading pass: sections, options and driver instances. Everything is collected first and
 * checked afterwards, because drivers may refer to things defined later (a router's transport).
 */
final class ConfigParser {
    private static final Pattern BEGIN = Pattern.compile("begin\\s+(\\S+)");
    private static final Pattern NAMED_LIST = Pattern.compile(
            "(domainlist|hostlist|addresslist|localpartlist)(?:_cache)?\\s+(\\S+?)\\s*=(.*)");
    private static final Pattern OPTION = Pattern.compile("(?:hide\\s+)?([a-z0-9_]+)\\s*(?:=(.*))?");
    private static final Pattern INSTANCE = Pattern.compile("([A-Za-z0-9_.-]+)\\s*:(.*)");
    private static final Set<String> IGNORED_SECTIONS = Set.of("acl", "rewrite", "authenticators");

    private enum Section { MAIN, ROUTERS, TRANSPORTS, RETRY, IGNORED }

    /** A driver instance as written. */
    private record Block(String name, int line, List<Setting> options) {}

    private final String source;
    private final MainSection main;
    private final List<Block> routers = new ArrayList<>();
    private final List<Block> transports = new ArrayList<>();
    private final List<RetryConfig> retry = new ArrayList<>();
    private boolean retrySection;

    private ConfigParser(String source) {
        this.source = source;
        this.main = new MainSection(source);
    }

    static Config parse(String text, String source) throws ConfigException {
        ConfigParser p = new ConfigParser(source);
        p.collect(ConfigLines.read(text, source));
        return p.build();
    }

    private void collect(List<ConfigLines.Line> lines) throws ConfigException {
        Section section = Section.MAIN;
        Set<String> seen = new HashSet<>();
        List<Block> blocks = null;
        for (ConfigLines.Line line : lines) {
            String text = line.text();
            Matcher begin = BEGIN.matcher(text);
            if (begin.matches()) {
                String name = begin.group(1);
                if (!seen.add(name)) {
                    throw error(line.number(), "\"begin " + name + "\" appears twice");
                }
                section = switch (name) {
                    case "routers" -> Section.ROUTERS;
                    case "transports" -> Section.TRANSPORTS;
                    case "retry" -> {
                        retrySection = true;
                        yield Section.RETRY;
                    }
                    default -> {
                        if (!IGNORED_SECTIONS.contains(name)) {
                            throw error(line.number(), "unknown configuration section \"begin " + name + "\"");
                        }
                        yield Section.IGNORED;
                    }
                };
                blocks = section == Section.ROUTERS ? routers : section == Section.TRANSPORTS ? transports : null;
                continue;
            }
            switch (section) {
                case MAIN -> mainLine(line);
                case ROUTERS, TRANSPORTS -> driverLine(line, blocks, section == Section.ROUTERS ? "router" : "transport");
                case RETRY -> retry.add(RetryRules.line(line.text(), source, line.number()));
                case IGNORED -> { }
            }
        }
    }

    private void mainLine(ConfigLines.Line line) throws ConfigException {
        Matcher list = NAMED_LIST.matcher(line.text());
        if (list.matches()) {
            String kind = list.group(1);
            String name = list.group(2);
            if (kind.equals("addresslist") || kind.equals("localpartlist")) {
                throw error(line.number(), kind + " is not supported");
            }
            if (!name.matches("[A-Za-z0-9_]+")) {
                throw error(line.number(), "invalid " + kind + " name \"" + name + "\"");
            }
            main.addNamedList(new MainSection.NamedList(kind, name, unquote(list.group(3), line), line.number()));
            return;
        }
        main.set(option(line, "main"));
    }

    private void driverLine(ConfigLines.Line line, List<Block> blocks, String kind) throws ConfigException {
        Matcher instance = INSTANCE.matcher(line.text());
        boolean isOption = line.text().indexOf('=') >= 0
                && line.text().indexOf('=') < (instance.matches() ? instance.start(2) : Integer.MAX_VALUE);
        if (instance.matches() && !isOption) {
            String name = instance.group(1);
            for (Block b : blocks) {
                if (b.name().equals(name)) {
                    throw error(line.number(), kind + " \"" + name + "\" is already defined (line " + b.line() + ")");
                }
            }
            Block block = new Block(name, line.number(), new ArrayList<>());
            blocks.add(block);
            String rest = instance.group(2).strip();
            if (!rest.isEmpty()) {
                block.options().add(option(new ConfigLines.Line(line.number(), rest), kind));
            }
            return;
        }
        if (blocks.isEmpty()) {
            throw error(line.number(), "option setting before the first " + kind + " name (expected \"name:\")");
        }
        blocks.getLast().options().add(option(line, kind));
    }

    private Setting option(ConfigLines.Line line, String context) throws ConfigException {
        Matcher m = OPTION.matcher(line.text());
        if (!m.matches()) {
            throw error(line.number(), "malformed " + context + " line \"" + line.text() + "\" (expected name = value)");
        }
        String value = m.group(2) == null ? null : unquote(m.group(2), line);
        return new Setting(m.group(1), value, line.number());
    }

    private String unquote(String raw, ConfigLines.Line line) throws ConfigException {
        try {
            return Values.unquote(raw);
        } catch (IllegalArgumentException e) {
            throw error(line.number(), e.getMessage());
        }
    }

    private Config build() throws ConfigException {
        MainConfig m = main.build();
        DriverBuilder drivers = new DriverBuilder(source, m.primaryHostname(), m.hostLists(), m.domainLists());
        Map<String, TransportConfig> builtTransports = new LinkedHashMap<>();
        for (Block b : transports) {
            builtTransports.put(b.name(), drivers.transport(b.name(), b.line(), b.options()));
        }
        List<RouterConfig> builtRouters = new ArrayList<>();
        for (Block b : routers) {
            RouterConfig r = drivers.router(b.name(), b.line(), b.options());
            String t = r.transport();
            if (t != null && t.indexOf('$') < 0 && !builtTransports.containsKey(t)) {
                int at = b.options().stream().filter(s -> s.name().equals("transport")).mapToInt(Setting::line).max().orElse(b.line());
                throw error(at, "router \"" + r.name() + "\": transport \"" + t + "\" is not defined");
            }
            builtRouters.add(r);
        }
        // No section at all keeps Exim's default rule; an empty one means no retries, as in Exim.
        RetryRules rules = retrySection ? new RetryRules(retry) : RetryRules.eximDefault();
        return new Config(source, m, builtRouters, builtTransports, rules);
    }

    private ConfigException error(int line, String reason) {
        return new ConfigException(source, line, reason);
    }
}
