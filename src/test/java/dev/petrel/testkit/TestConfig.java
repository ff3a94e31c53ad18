package dev.petrel.testkit;

import java.nio.file.Path;

/** Configuration text for test servers: the given main section, then local delivery into DIR/mail/LOCAL_PART. */
public final class TestConfig {
    private TestConfig() {
    }

    public static String withLocalDelivery(Path dir, String mainSection) {
        return mainSection + """

                begin routers
                localuser:
                  driver = accept
                  domains = +local_domains
                  transport = local_delivery
                begin transports
                local_delivery:
                  driver = appendfile
                  directory = %s/mail/$local_part
                  maildir_format
                """.formatted(dir.toAbsolutePath());
    }
}
