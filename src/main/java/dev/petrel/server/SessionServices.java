package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Spool;
import dev.petrel.tls.ServerTls;

import java.util.function.Consumer;

/**
 * What every inbound session shares: configuration, the spool, the log, and who to tell about new mail;
 * {@code tls} is null when TLS is not available.
 */
record SessionServices(MainConfig config, Spool spool, MainLog log, Consumer<String> accepted,
                       String version, ServerTls tls) {
}
