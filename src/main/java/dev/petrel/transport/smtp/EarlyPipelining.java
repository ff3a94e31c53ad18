package dev.petrel.transport.smtp;

import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.Reply;
import dev.petrel.transport.smtp.EhloRecord.Offer;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Early pipelining (PIPECONNECT) on one connection to a host in {@code hosts_pipe_connect}: whether the EHLO
 * record allows it and on which path, and what the live EHLO replies make of the record: written after a
 * connection whose first EHLO offered PIPELINING and PIPECONNECT, rewritten when the server's offer changed
 * but still holds PIPECONNECT, deleted when it no longer does or when the banner or EHLO is refused. Hints
 * database trouble never fails a delivery: the record is only a hint. See docs/behaviour.md, "Early
 * pipelining (PIPECONNECT)", client side.
 */
final class EarlyPipelining {

    /** How the early group goes out. */
    enum Path {
        /** {@code EHLO,MAIL,RCPT...,DATA|BDAT} with the connect. */
        CLEARTEXT,
        /** {@code EHLO,STARTTLS} with the connect; inside TLS the transaction group with EHLO when the record allows. */
        STARTTLS,
        /** After the handshake, {@code EHLO,MAIL,RCPT...} without waiting for the banner. */
        IMPLICIT_TLS
    }

    private final EhloRecords records;
    private final String key;
    private final EhloRecord record;
    private final Path path;
    private final boolean smtps;
    private Offer liveClear;
    private Offer liveTls;
    private boolean stopped;

    private EarlyPipelining(EhloRecords records, String key, EhloRecord record, Path path, boolean smtps) {
        this.records = records;
        this.key = key;
        this.record = record;
        this.path = path;
        this.smtps = smtps;
    }

    /**
     * The plan for a connection to a host in {@code hosts_pipe_connect}: early pipelining when a usable record
     * exists and the message fits what it recorded, otherwise none (but the connection still keeps the record).
     */
    static EarlyPipelining plan(EhloRecords records, InetAddress address, int port, HostPolicy policy,
            Message message) {
        String key = EhloRecord.key(address, port);
        EhloRecord record;
        try {
            record = records.find(key).orElse(null);
        } catch (IOException e) {
            record = null;
        }
        return new EarlyPipelining(records, key, record, record == null ? null : path(record, policy, message),
                policy.smtps());
    }

    private static Path path(EhloRecord record, HostPolicy policy, Message message) {
        if (!policy.pipelining()) {
            return null;
        }
        if (policy.smtps()) {
            return fits(record.tls(), message) ? Path.IMPLICIT_TLS : null;
        }
        if (!record.clear().pipeConnect()) {
            return null;
        }
        if (record.clear().offers("STARTTLS") && (policy.tryTls() || policy.requireTls())) {
            return Path.STARTTLS;
        }
        return !policy.requireTls() && fits(record.clear(), message) ? Path.CLEARTEXT : null;
    }

    /** The group can be sent unseen only when the recorded offer takes the message as it is. */
    private static boolean fits(Offer offer, Message message) {
        ServerExtensions ext = offer.extensions();
        return offer.pipeConnect() && !ext.tooBig(message.data().length) && (!message.needsUtf8() || ext.smtpUtf8());
    }

    /** The path of this connection's early group, empty when it does not pipeline early. */
    Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /**
     * What goes out with the connect: EHLO and the transaction, or EHLO and STARTTLS; null without early
     * pipelining, and on implicit TLS, whose group waits for the handshake.
     */
    ClientOutput connectGroup(HostPolicy policy, Message message) {
        if (path == null || path == Path.IMPLICIT_TLS) {
            return null;
        }
        return TransactionCommands.early(path, recorded(), policy, message);
    }

    /** What the early transaction group is built from: the recorded offer of the side it goes out on. */
    ServerExtensions recorded() {
        return record.used(path != Path.CLEARTEXT).extensions();
    }

    /**
     * Inside TLS after an early {@code EHLO,STARTTLS}: whether EHLO and the transaction go together too, as
     * the record offers PIPECONNECT there and the live cleartext EHLO did not withdraw it.
     */
    boolean afterStartTls(Message message) {
        return path == Path.STARTTLS && !stopped && fits(record.tls(), message);
    }

    /** The cleartext EHLO reply as it came; no PIPECONNECT in it ends early pipelining on this connection. */
    void clearEhlo(Reply ehlo) {
        liveClear = Offer.of(ehlo);
        if (!liveClear.pipeConnect()) {
            stopped = true;
        }
    }

    /** The EHLO reply inside TLS as it came. */
    void tlsEhlo(Reply ehlo) {
        liveTls = Offer.of(ehlo);
    }

    /** A banner or EHLO refused: the record is no longer to be trusted. */
    void refused() {
        stopped = true;
        try {
            records.delete(key);
        } catch (IOException e) {
            // The record expires by age all the same.
        }
    }

    /**
     * Once the EHLO replies of the connection are known: keeps, rewrites, writes or deletes the record. The
     * first EHLO (inside TLS on implicit TLS) must offer PIPELINING and PIPECONNECT; a side not seen on this
     * connection keeps what the old record said of it.
     */
    void settle() {
        Offer first = smtps ? liveTls : liveClear;
        if (first == null) {
            return;
        }
        try {
            if (!first.pipeConnect()) {
                if (record != null) {
                    records.delete(key);
                }
                return;
            }
            Offer clear = smtps ? Offer.NONE : liveClear;
            Offer tls = liveTls != null ? liveTls : record != null ? record.tls() : Offer.NONE;
            if (record == null || !record.clear().sameAs(clear) || !record.tls().sameAs(tls)) {
                records.save(key, new EhloRecord(clear, tls));
            }
        } catch (IOException e) {
            // Next time this connection is simply an ordinary one again.
        }
    }
}
