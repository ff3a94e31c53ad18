package dev.petrel.server;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A deliberately dumb SMTP client for tests: sends exactly the bytes it is given and reads raw replies. */
final class RawClient implements Closeable {
    static final String ENVELOPE = "MAIL FROM:<a@test.ex>\r\nRCPT TO:<b@test.ex>\r\nDATA\r\n";

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean resetByServer;

    RawClient(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A TLS client context that trusts any certificate: these tests are about SMTP, not PKI. */
    static javax.net.ssl.SSLContext trustAll(String protocol) throws Exception {
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance(protocol);
        ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        return ctx;
    }

    /** Runs the TLS handshake over this connection (after a 220 to STARTTLS, or at once on an implicit-TLS port). */
    RawClient startTls(javax.net.ssl.SSLContext context) throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(socket, "petrel.test", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        socket = tls;
        in = tls.getInputStream();
        out = tls.getOutputStream();
        pending.reset();
        return this;
    }

    javax.net.ssl.SSLSession tlsSession() {
        return ((javax.net.ssl.SSLSocket) socket).getSession();
    }

    /** Half-closes: the server sees the end of input, as after Exim's pipelined QUIT. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads one complete (possibly multi-line) reply and returns its lines with the codes. */
    List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line == null) {
                throw new IOException("connection closed; reply so far: " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return lines;
            }
        }
    }

    /** The last line of the next reply, e.g. {@code "250 2.1.0 OK"}. */
    String replyLine() throws IOException {
        List<String> lines = reply();
        return lines.get(lines.size() - 1);
    }

    int code() throws IOException {
        return Integer.parseInt(replyLine().substring(0, 3));
    }

    String banner() throws IOException {
        return replyLine();
    }

    RawClient ehlo(String name) throws IOException {
        banner();
        send("EHLO " + name + "\r\n");
        reply();
        return this;
    }

    /**
     * The transaction most tests need before their point: MAIL FROM:&lt;a@test.ex&gt;, RCPT TO:&lt;b@test.ex&gt; and
     * DATA pipelined, each reply required to say yes. The message text comes next.
     */
    RawClient startMessage() throws IOException {
        send(ENVELOPE);
        for (int expected : new int[] {250, 250, 354}) {
            String reply = replyLine();
            if (!reply.startsWith(expected + " ")) {
                throw new AssertionError("expected " + expected + " in the envelope's replies, got " + reply);
            }
        }
        return this;
    }

    /** Sends {@code text} and the end of data; returns the id of the {@code 250 OK id=} that must follow. */
    String finishMessage(String text) throws IOException {
        send(text + "\r\n.\r\n");
        String reply = replyLine();
        if (!reply.startsWith("250 OK id=")) {
            throw new AssertionError("expected 250 OK id=..., got " + reply);
        }
        return reply.substring("250 OK id=".length());
    }

    /** What one read() returns: the bytes the server sent in (about) one write. */
    String readOnce() throws IOException {
        if (pending.size() > 0) {
            String s = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            return s;
        }
        byte[] buf = new byte[65536];
        int n = in.read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    /** Everything the server sends until it closes the connection (bounded by the socket timeout). */
    String readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(pending.toByteArray());
        pending.reset();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            all.write(buf, 0, n);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** True if the server closed the connection within the timeout. */
    boolean closedByServer(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                pending.write(buf, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            resetByServer = true; // what it sent last may be lost with the reset
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(5000);
            }
        }
    }

    /** Whether {@link #closedByServer} saw the server end with a reset rather than a FIN. */
    boolean resetByServer() {
        return resetByServer;
    }

    /** What {@link #closedByServer} gathered and no reply method read yet; consumes it. */
    String unread() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** The client's own port, as the server logs it with {@code +incoming_port}. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Whether nothing at all arrives within {@code millis}. */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            if (n > 0) {
                pending.write(buf, 0, n);
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffered = pending.toByteArray();
        pending.reset();
        int i = 0;
        while (true) {
            int b;
            if (i < buffered.length) {
                b = buffered[i++] & 0xff;
            } else {
                b = in.read();
            }
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                pending.write(buffered, i, buffered.length - i);
                String s = line.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    /** Closes with a TCP reset instead of a FIN (linger 0), like a client killed mid-session. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
