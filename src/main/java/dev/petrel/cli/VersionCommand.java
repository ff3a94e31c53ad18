package dev.petrel.cli;

import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the version and the built-in features.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Petrel version " + Version.NUMBER + " (Java " + Runtime.version().feature() + ", Netty "
                + io.netty.util.Version.identify().getOrDefault("netty-common",
                        io.netty.util.Version.identify().values().iterator().next()).artifactVersion() + ")");
        System.out.println("Support for: " + String.join(" ", Version.features()));
    }
}
