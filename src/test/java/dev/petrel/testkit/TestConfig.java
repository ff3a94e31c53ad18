package dev.petrel.testkit;

import java.nio.file.Path;

/** Configuration text for test servers: the given main section, then local delivery into DIR/mail/LOCAL_PART. */
public final class TestConfig {
    private TestConfig() {
    }

    public static String withLocalDelivery(Path dir, String mainSection) {
        return withLocalDelivery(dir, mainSection, null);
    }

    /**
     * As {@link #withLocalDelivery(Path, String)}, and with {@code smarthost} not null every other domain is
     * relayed there: manualroute ({@code route_list = * SMARTHOST}, e.g. {@code 127.0.0.1::2525}) to the smtp
     * transport {@code remote_smtp}.
     */
    public static String withLocalDelivery(Path dir, String mainSection, String smarthost) {
        String relayRouter = smarthost == null ? "" : """
                smarthost:
                  driver = manualroute
                  transport = remote_smtp
                  route_list = * %s
                """.formatted(smarthost);
        String relayTransport = smarthost == null ? "" : """
                remote_smtp:
                  driver = smtp
                """;
        return mainSection + """

                begin routers
                localuser:
                  driver = accept
                  domains = +local_domains
                  transport = local_delivery
                %s
                begin transports
                local_delivery:
                  driver = appendfile
                  directory = %s/mail/$local_part
                  maildir_format
                %s""".formatted(relayRouter, dir.toAbsolutePath(), relayTransport);
    }
}
