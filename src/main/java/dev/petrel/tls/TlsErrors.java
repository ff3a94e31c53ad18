package dev.petrel.tls;

import dev.petrel.log.LogText;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an operator reads after {@code TLS error on connection from [ip] (STARTTLS): }: the reason in the
 * words Exim uses, never a Java class name. BoringSSL's errors keep their reason code
 * ({@code CLIENTHELLO_PARSE_FAILED}), which is what its documentation and every search engine know.
 */
public final class TlsErrors {
    /** {@code error:10000083:SSL routines:OPENSSL_internal:CLIENTHELLO_PARSE_FAILED} and its kin. */
    private static final Pattern OPENSSL_REASON = Pattern.compile("error:[0-9A-Fa-f]+:[^:]*:[^:]*:([A-Za-z0-9_ ]+)");
    private static final int MAX = 200;

    private TlsErrors() {
    }

    /** The reason for a failed handshake or a TLS session that broke, as one printable phrase. */
    public static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof NotSslRecordException) {
            return "not a TLS record";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed by peer during handshake";
        }
        if (cause instanceof SslHandshakeTimeoutException) {
            return "handshake timed out";
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return "unspecified error";
        }
        Matcher reason = OPENSSL_REASON.matcher(message);
        if (reason.find()) {
            return reason.group(1).strip();
        }
        if (message.endsWith("Connection reset by peer") || message.equals("Connection reset")) {
            return "connection reset by peer";
        }
        return LogText.printable(message, MAX);
    }

    /** Netty wraps the engine's exception in a DecoderException; the engine's is the one that says why. */
    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; depth < 8 && t.getCause() != null
                && (t instanceof DecoderException || t instanceof CompletionException); depth++) {
            t = t.getCause();
        }
        return t;
    }
}
