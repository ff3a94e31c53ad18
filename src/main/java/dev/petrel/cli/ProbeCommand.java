package dev.petrel.cli;

import dev.petrel.transport.smtp.Probe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "probe", description = {
        "Connect to an SMTP server one or more times and report its TLS (like Postfix's posttls-finger):",
        "banner, EHLO keywords, protocol, cipher, certificate, verification and tls_out_resumption."})
final class ProbeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    @Parameters(index = "1", paramLabel = "PORT")
    int port;

    @Option(names = "--starttls", description = "Use STARTTLS (the default).")
    boolean starttls;

    @Option(names = "--tls-on-connect", description = "Start TLS at once (implicit TLS).")
    boolean tlsOnConnect;

    @Option(names = "--count", defaultValue = "1", description = "Connections to make, one after another (default ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() {
        if (starttls && tlsOnConnect) {
            System.err.println("petrel: --starttls and --tls-on-connect exclude each other");
            return 2;
        }
        if (count < 1 || count > 1000) {
            System.err.println("petrel: --count must be between 1 and 1000");
            return 2;
        }
        return Probe.run(host, port, tlsOnConnect ? Probe.Mode.TLS_ON_CONNECT : Probe.Mode.STARTTLS, count, System.out);
    }
}
