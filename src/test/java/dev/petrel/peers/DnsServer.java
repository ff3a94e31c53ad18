package dev.petrel.peers;

import dev.petrel.testkit.Ports;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NSD 4 (extracted by {@code test-peers/install.sh}) as an authoritative DNS server on 127.0.0.1 and a free
 * port, serving zones written by the test. A zone declared {@link #unloadedZone unloaded} is configured as a
 * secondary whose primary (a dead loopback port) never transfers it: NSD answers SERVFAIL for every name in
 * it, which is how a real broken zone looks to a resolver. Names in no zone get REFUSED.
 *
 * <p>Use: {@code DnsServer.in(dir).zone("petrel.test", records).unloadedZone("broken.petrel.test").start()};
 * {@link #close()} stops NSD.
 */
public final class DnsServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final Map<String, String> zones = new LinkedHashMap<>();
    private final List<String> unloaded = new ArrayList<>();
    private int port;
    private Process process;

    private DnsServer(Path dir) {
        this.dir = dir;
    }

    public static DnsServer in(Path workDir) {
        return new DnsServer(Peers.prepareWorkDir(workDir));
    }

    /**
     * A zone to serve. {@code records} are zone-file lines relative to the origin ({@code $ORIGIN} is set);
     * an SOA and an NS record are added.
     */
    public DnsServer zone(String origin, String records) {
        zones.put(origin, records);
        return this;
    }

    /** A zone NSD is configured for but never has data for: every question in it gets SERVFAIL. */
    public DnsServer unloadedZone(String origin) {
        unloaded.add(origin);
        return this;
    }

    public DnsServer start() {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a port found free may be taken before NSD binds it
            port = Ports.free();
            try {
                launch();
                return this;
            } catch (IllegalStateException e) {
                last = e;
                close();
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(Peers.LOOPBACK, port);
    }

    /** How Petrel's {@code dns_servers} option names this server. */
    public String dnsServersOption() {
        return Peers.LOOPBACK + "." + port;
    }

    private void launch() {
        int deadPrimary = Ports.free(); // nothing listens there: the unloaded zones' transfers are refused
        StringBuilder conf = new StringBuilder();
        conf.append("server:\n")
                .append("  ip-address: ").append(Peers.LOOPBACK).append('@').append(port).append('\n')
                .append("  port: ").append(port).append('\n')
                .append("  do-ip6: no\n  username: \"\"\n  chroot: \"\"\n  database: \"\"\n  server-count: 1\n")
                .append("  verbosity: 1\n  hide-version: yes\n")
                .append("  zonesdir: \"").append(dir).append("\"\n")
                .append("  zonelistfile: \"").append(dir.resolve("zone.list")).append("\"\n")
                .append("  pidfile: \"").append(dir.resolve("nsd.pid")).append("\"\n")
                .append("  xfrdfile: \"").append(dir.resolve("xfrd.state")).append("\"\n")
                .append("  xfrdir: \"").append(dir).append("\"\n")
                .append("  logfile: \"").append(dir.resolve("nsd.log")).append("\"\n")
                .append("remote-control:\n  control-enable: no\n");
        for (Map.Entry<String, String> z : zones.entrySet()) {
            String file = z.getKey() + ".zone";
            write(dir.resolve(file), zoneFile(z.getKey(), z.getValue()));
            conf.append("zone:\n  name: \"").append(z.getKey()).append(".\"\n  zonefile: \"").append(file).append("\"\n");
        }
        for (String origin : unloaded) {
            conf.append("zone:\n  name: \"").append(origin).append(".\"\n")
                    .append("  request-xfr: ").append(Peers.LOOPBACK).append('@').append(deadPrimary).append(" NOKEY\n")
                    .append("  allow-notify: ").append(Peers.LOOPBACK).append(" NOKEY\n");
        }
        Path confFile = dir.resolve("nsd.conf");
        write(confFile, conf.toString());
        Path out = dir.resolve("nsd.out");
        try {
            process = new ProcessBuilder(nsd().toString(), "-d", "-c", confFile.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nsd", e);
        }
        String probe = zones.isEmpty() ? null : zones.keySet().iterator().next();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nsd exited: " + Peers.readLines(out) + " " + log());
            }
            if (probe == null ? Peers.isListening(port) : answers(probe)) {
                return;
            }
            Peers.sleep(50);
        }
        throw new IllegalStateException("nsd did not answer on port " + port + " within " + START_TIMEOUT + ": " + log());
    }

    /** True once NSD answers the zone's SOA with data: it listens and has loaded the zone. */
    private boolean answers(String origin) {
        try {
            SimpleResolver r = new SimpleResolver(address());
            r.setTimeout(Duration.ofMillis(200));
            Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString(origin + "."), Type.SOA, DClass.IN)));
            return m.getRcode() == Rcode.NOERROR && !m.getSection(1).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    public List<String> log() {
        return Peers.readLines(dir.resolve("nsd.log"));
    }

    private static Path nsd() {
        Path nsd = Peers.root().resolve("usr/sbin/nsd");
        if (!Files.isExecutable(nsd)) {
            throw new IllegalStateException(nsd + " is missing: run test-peers/install.sh (as root) again");
        }
        return nsd;
    }

    private static String zoneFile(String origin, String records) {
        return "$ORIGIN " + origin + ".\n$TTL 60\n"
                + "@ IN SOA ns." + origin + ". hostmaster." + origin + ". 1 3600 600 86400 60\n"
                + "@ IN NS ns." + origin + ".\n"
                + "ns IN A " + Peers.LOOPBACK + "\n"
                + records + "\n";
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            Peers.kill(process);
            process = null;
        }
    }
}
