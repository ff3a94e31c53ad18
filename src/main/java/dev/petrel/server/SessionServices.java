package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.spool.Spool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What every inbound session shares: configuration, the spool, the log, and who to tell about new mail. */
record SessionServices(MainConfig config, Spool spool, MainLog log, Consumer<String> accepted,
                       AtomicInteger connections, String version) {
}
