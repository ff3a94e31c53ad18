package dev.petrel.config;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code log_selector}: Exim's names, so that existing settings carry over, plus Petrel's own
 * {@code tls_resumption_state}. Accepting every Exim name (even those Petrel does not log yet) lets an
 * Exim operator's selector line load unchanged.
 */
public final class LogSelectors {
    /** Exim's default selection. */
    static final Set<String> DEFAULT_ON = Set.of(
            "acl_warn_skipped", "connection_reject", "delay_delivery", "dkim", "dnslist_defer", "etrn",
            "host_lookup_failed", "lost_incoming_connection", "msg_id", "queue_run", "rejected_header",
            "retry_defer", "sender_verify_fail", "size_reject", "skip_delivery", "smtp_confirmation",
            "tls_certificate_verified", "tls_cipher");

    static final Set<String> KNOWN;

    static {
        Set<String> known = new TreeSet<>(DEFAULT_ON);
        known.addAll(Set.of(
                "8bitmime", "address_rewrite", "all_parents", "arguments", "deliver_time", "delivery_size",
                "dkim_verbose", "dnssec", "ident_timeout", "incoming_interface", "incoming_port", "millisec",
                "msg_id_created", "outgoing_interface", "outgoing_port", "pid", "pipelining", "proxy",
                "queue_time", "queue_time_exclusive", "queue_time_overall", "receive_time",
                "received_recipients", "received_sender", "return_path_on_delivery", "sender_on_delivery",
                "smtp_connection", "smtp_incomplete_transaction", "smtp_mailauth", "smtp_no_mail",
                "smtp_protocol_error", "smtp_syntax_error", "subject", "tls_peerdn", "tls_resumption",
                "tls_resumption_state", "tls_sni", "unknown_in_list"));
        KNOWN = Collections.unmodifiableSet(known);
    }

    private LogSelectors() {}

    /** A {@code log_selector} setting: the names it enables, and the text it was written as (which is what prints). */
    public record Selection(String text, Set<String> enabled) {
        public Selection {
            enabled = Collections.unmodifiableSortedSet(new TreeSet<>(enabled));
        }
    }

    /** Applies {@code +name} / {@code -name} items, in order, to the defaults; {@code all} means every known name. */
    static Selection resolve(String text) {
        Set<String> on = new TreeSet<>(DEFAULT_ON);
        for (String item : text.strip().split("\\s+")) {
            if (item.isEmpty()) {
                continue;
            }
            char sign = item.charAt(0);
            if (sign != '+' && sign != '-') {
                throw new IllegalArgumentException("\"" + item + "\": each log selector must start with + or -");
            }
            String name = item.substring(1);
            Set<String> names = name.equals("all") ? KNOWN : Set.of(name);
            if (!name.equals("all") && !KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown log selector \"" + name + "\"");
            }
            if (sign == '+') {
                on.addAll(names);
            } else {
                on.removeAll(names);
            }
        }
        return new Selection(text, on);
    }
}
