package dev.petrel.transport;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Dates for header fields in the RFC 5322 form Exim writes ({@code Tue, 03 Mar 2026 10:00:00 +0000}):
 * two-digit day and a numeric zone. Java's RFC_1123 formatter writes "GMT" and single-digit days instead.
 */
public final class MailDate {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z",
            Locale.ENGLISH);

    private MailDate() {
    }

    public static String now() {
        return format(ZonedDateTime.now());
    }

    public static String format(ZonedDateTime time) {
        return FORMAT.format(time);
    }
}
