package dev.petrel.server;

import dev.petrel.log.LogText;
import dev.petrel.log.MainLog;
import dev.petrel.smtp.Reply;
import dev.petrel.tls.TlsErrors;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The log lines of one inbound session, in Exim's wording, naming the client as Exim does: {@code [ip]}
 * before it greets, {@code (helo) [ip]} after. Text the client chose is escaped wherever it is quoted.
 *
 * @param helo        the name given in the last HELO or EHLO, or null
 * @param connectedAt {@link System#nanoTime()} at connection, for D=
 */
record SessionLog(MainLog log, InetSocketAddress remote, long connectedAt, String helo) {

    SessionLog withHelo(String name) {
        return new SessionLog(log, remote, connectedAt, name);
    }

    /** {@code [ip]} */
    String hostBracket() {
        return "[" + remote.getAddress().getHostAddress() + "]";
    }

    /** {@code (helo) [ip]}, or {@code [ip]} before any greeting. */
    String host() {
        return (helo != null ? "(" + LogText.printable(helo, 64) + ") " : "") + hostBracket();
    }

    private String h() {
        return "H=" + host();
    }

    private boolean connections() {
        return log.selected("smtp_connection");
    }

    private String elapsed() {
        return Duration.ofNanos(System.nanoTime() - connectedAt).toSeconds() + "s";
    }

    // ---------------------------------------------------------------- connection

    void lost() {
        if (connections()) {
            log.main("SMTP connection from " + host() + ":" + remote.getPort() + " lost D=" + elapsed());
        }
    }

    void lostInData() {
        log.main("SMTP connection from " + host() + " lost while reading message data");
    }

    void closedByQuit() {
        if (connections()) {
            log.main("SMTP connection from " + host() + ":" + remote.getPort() + " closed by QUIT");
        }
    }

    void endOfInput() {
        if (connections()) {
            log.main("SMTP connection from " + host() + ":" + remote.getPort() + " closed by client (end of input) D="
                    + elapsed());
        }
    }

    /** @param tls the connection was in TLS: Exim says "on TLS connection" */
    void commandTimeout(boolean tls) {
        log.main("SMTP command timeout on" + (tls ? " TLS" : "") + " connection from " + h());
    }

    void dataTimeout(String sender) {
        log.main("SMTP data timeout (message abandoned) on connection from " + h() + " F=<" + sender + ">");
    }

    void closedAfterError(Throwable cause) {
        log.main("SMTP connection from " + h() + " closed after error: " + TlsErrors.describe(cause));
    }

    /** @param how {@code STARTTLS} or {@code tls_on_connect} */
    void tlsError(String how, Throwable cause) {
        log.main("TLS error on connection from " + host() + " (" + how + "): " + TlsErrors.describe(cause));
    }

    // ---------------------------------------------------------------- synchronisation

    /** @param input the early line with its line end, then what was buffered behind it */
    void earlyTalker(String input) {
        log.reject("SMTP protocol synchronization error (input sent without waiting for greeting):"
                + " rejected connection from H=" + hostBracket() + " input=\"" + LogText.printable(input, 128) + "\"");
    }

    void tooSoon(boolean pipeliningAdvertised, String line, String nextInput) {
        log.reject("SMTP protocol synchronization error (next input sent too soon: pipelining was "
                + (pipeliningAdvertised ? "" : "not ") + "advertised): rejected \"" + LogText.printable(line, 128)
                + "\" " + h() + " next input=\"" + LogText.printable(nextInput, 128) + "\"");
    }

    void discardedAfterStarttls(int octets, String sample) {
        log.reject("SMTP protocol error: " + octets + " octets pipelined after STARTTLS discarded, " + h()
                + " input=\"" + LogText.printable(sample, 128) + "\"");
    }

    // ---------------------------------------------------------------- errors

    void unknownCommand(String line) {
        log.reject("unknown command \"" + LogText.printable(line, 64) + "\" from " + h());
    }

    void tooManyUnknownCommands(String line) {
        log.reject("SMTP call from " + h() + " dropped: too many unrecognized commands (last was \""
                + LogText.printable(line, 64) + "\")");
    }

    void syntaxError(String line, Reply reply) {
        log.reject("SMTP syntax error in \"" + LogText.printable(line, 128) + "\" " + h() + " " + reply.logText());
    }

    /** @param what Petrel's own words for the error, never client text */
    void protocolError(String what, Reply reply) {
        log.reject("SMTP protocol error in \"" + what + "\" " + h() + " " + reply.logText());
    }

    void tooManyProtocolErrors() {
        log.reject("SMTP call from " + h() + " dropped: too many syntax or protocol errors");
    }

    void invalidBdatSize(String line) {
        log.reject("SMTP protocol error in \"" + LogText.printable(line, 128) + "\" " + h()
                + ": invalid BDAT size, connection dropped");
    }

    // ---------------------------------------------------------------- transactions

    void sizeRefusedAtMail(String sender, String size) {
        log.reject(h() + " F=<" + sender + "> rejected MAIL: message too big: SIZE=" + size);
    }

    void tooManyRecipients(String sender, String recipient) {
        log.reject(h() + " F=<" + sender + "> rejected RCPT <" + recipient + ">: too many recipients");
    }

    void relayRefused(String sender, String recipient) {
        log.reject(h() + " F=<" + sender + "> rejected RCPT <" + recipient + ">: relay not permitted");
    }

    /** @param why the reply text without its code, as Exim logs it */
    void rejectedAfterData(String sender, String why) {
        log.reject(h() + " F=<" + sender + "> rejected after DATA: " + why);
    }

    void tooBig(String sender, long read, long max) {
        rejectedAfterData(sender, "message too big: read=" + read + " max=" + max);
    }

    void cannotBuffer(String why) {
        log.panic("cannot buffer message from " + h() + ": " + why);
    }

    void cannotSpool(String why) {
        log.panic("failed to spool message from " + h() + ": " + why);
    }

    void arrived(Arrival arrival) {
        log.main(arrival.logLine(log));
    }
}
