package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Spool;
import dev.petrel.tls.ServerTls;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What every inbound session shares: configuration, the spool, the log, and who to tell about new mail. */
/** What every inbound session shares; {@code tls} is null when TLS is not available. */
record SessionServices(MainConfig config, Spool spool, MainLog log, Consumer<String> accepted,
                       AtomicInteger connections, String version, ServerTls tls) {
}
