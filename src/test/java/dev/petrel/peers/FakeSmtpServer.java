package dev.petrel.peers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted SMTP server on loopback for the transport's tests: a well-behaved one by default (EHLO with the
 * extensions given, 250 to MAIL and RCPT, 354 to DATA, 250 to the message), with answers overridden per
 * command prefix; an answer can be hostile text, {@link #CLOSE} to drop the connection, or {@link #SILENCE}
 * to answer nothing. Each connection runs on its own virtual thread; what arrived is kept for assertions.
 */
public final class FakeSmtpServer implements AutoCloseable {
    /** Close the connection instead of answering. */
    public static final String CLOSE = "\0close";
    /** Answer nothing and keep reading. */
    public static final String SILENCE = "\0silence";
    /** Write {@code 250-} lines without end (until the client goes away). */
    public static final String ENDLESS = "\0endless";

    private final ServerSocket socket;
    private final String greeting;
    private volatile List<String> extensions;
    private volatile long greetingDelayMillis;
    private final List<Boolean> talkedFirst = new CopyOnWriteArrayList<>();
    private final Map<String, String> answers = new LinkedHashMap<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> clients = new CopyOnWriteArrayList<>();
    private volatile int connections;
    private volatile boolean firstOnly;
    private volatile int messagesPerConnection;
    private volatile long dataReplyDelayMillis;

    public FakeSmtpServer(String greeting, String... extensions) throws IOException {
        this(0, greeting, extensions);
    }

    /** On a given port of 127.0.0.1 (0 for any): a host that was down and comes back on its old port. */
    public FakeSmtpServer(int port, String greeting, String... extensions) throws IOException {
        this.socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        this.greeting = greeting;
        this.extensions = List.of(extensions);
        Thread.ofVirtual().start(this::acceptLoop);
    }

    /** A server offering PIPELINING, 8BITMIME and SIZE. */
    public static FakeSmtpServer plain() throws IOException {
        return plainOn(0);
    }

    /** {@link #plain()} on {@code port}. */
    public static FakeSmtpServer plainOn(int port) throws IOException {
        return new FakeSmtpServer(port, "220 fake.test ESMTP", "PIPELINING", "8BITMIME", "SIZE 1000000");
    }

    /** After {@code n} messages on one connection, the next command is answered by closing it. */
    public FakeSmtpServer messagesPerConnection(int n) {
        messagesPerConnection = n;
        return this;
    }

    /** Waits {@code millis} before accepting each message's text (a server busy with it). */
    public FakeSmtpServer slowToAcceptData(long millis) {
        dataReplyDelayMillis = millis;
        return this;
    }

    /** Answers commands starting with {@code prefix} (case-sensitive, e.g. {@code "RCPT TO:<b@"}, {@code "."}). */
    public synchronized FakeSmtpServer on(String prefix, String answer) {
        answers.put(prefix, answer);
        return this;
    }

    /** Takes back an override made by {@link #on}, for the connections from now on. */
    public synchronized FakeSmtpServer off(String prefix) {
        answers.remove(prefix);
        return this;
    }

    /** A connection's overrides, as they stand when it starts. */
    private synchronized Map<String, String> answers() {
        return new LinkedHashMap<>(answers);
    }

    /** The EHLO extensions from the next connection on. */
    public FakeSmtpServer extensions(String... extensions) {
        this.extensions = List.of(extensions);
        return this;
    }

    /**
     * Waits this long before the banner, so that a client that talks first (early pipelining) is seen doing so:
     * {@link #talkedFirst()}.
     */
    public FakeSmtpServer greetingDelay(long millis) {
        this.greetingDelayMillis = millis;
        return this;
    }

    /** Per connection, in order: whether the client's first octets were there before the banner. */
    public List<Boolean> talkedFirst() {
        return talkedFirst;
    }

    /** The overrides apply to the first connection only; later ones get the well-behaved answers. */
    public FakeSmtpServer firstOnly() {
        firstOnly = true;
        return this;
    }

    public int port() {
        return socket.getLocalPort();
    }

    public List<String> commands() {
        return commands;
    }

    /** Each message's text as received (DATA without the dot line and unstuffed, or the BDAT octets). */
    public List<String> messages() {
        return messages;
    }

    public int connections() {
        return connections;
    }

    /** The address each connection came from, in order (what an {@code interface} option bound). */
    public List<String> clients() {
        return clients;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                clients.add(s.getInetAddress().getHostAddress());
                boolean scripted = !firstOnly || connections == 0;
                connections++;
                Thread.ofVirtual().start(() -> serve(s, scripted));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, boolean scripted) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            Map<String, String> answers = scripted ? answers() : Map.of();
            List<String> extensions = this.extensions;
            if (greetingDelayMillis > 0) {
                Thread.sleep(greetingDelayMillis);
                talkedFirst.add(in.available() > 0);
            }
            if (!write(out, answerFor(answers, "greeting", greeting))) {
                return;
            }
            String line;
            int received = 0;
            while ((line = readLine(in)) != null) {
                commands.add(line);
                if (messagesPerConnection > 0 && received >= messagesPerConnection) {
                    return;
                }
                String answer;
                if (line.startsWith("EHLO")) {
                    answer = answerFor(answers, line, ehlo(extensions));
                } else if (line.startsWith("DATA")) {
                    answer = answerFor(answers, line, "354 go ahead");
                    if (answer.startsWith("354")) {
                        write(out, answer);
                        messages.add(readData(in));
                        received++;
                        pause();
                        answer = answerFor(answers, ".", "250 2.0.0 OK id=fake");
                    }
                } else if (line.startsWith("BDAT ")) {
                    int n = Integer.parseInt(line.split(" ")[1]);
                    messages.add(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
                    received++;
                    pause();
                    answer = answerFor(answers, line, "250 2.0.0 OK id=fake");
                } else if (line.startsWith("QUIT")) {
                    write(out, "221 bye");
                    return;
                } else {
                    answer = answerFor(answers, line, line.startsWith("STARTTLS") ? "454 TLS not available" : "250 OK");
                }
                if (!write(out, answer)) {
                    return;
                }
            }
        } catch (IOException e) {
            // The client went away: its side is what the tests check.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pause() {
        try {
            Thread.sleep(dataReplyDelayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ehlo(List<String> extensions) {
        StringBuilder b = new StringBuilder("250");
        b.append(extensions.isEmpty() ? " " : "-").append("fake.test");
        for (int i = 0; i < extensions.size(); i++) {
            b.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-").append(extensions.get(i));
        }
        return b.toString();
    }

    private static String answerFor(Map<String, String> answers, String line, String dflt) {
        for (Map.Entry<String, String> e : answers.entrySet()) {
            if (line.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return dflt;
    }

    /** False when the connection is to end. */
    private static boolean write(OutputStream out, String answer) throws IOException {
        switch (answer) {
            case CLOSE -> {
                return false;
            }
            case SILENCE -> {
                return true;
            }
            case ENDLESS -> {
                try {
                    for (int i = 0; i < 1_000_000; i++) {
                        out.write("250-and more\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (SocketException e) {
                    // the client gave up, as it should
                }
                return false;
            }
            default -> {
                out.write((answer.endsWith("\r\n") ? answer : answer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return true;
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
        }
        return null;
    }

    private static String readData(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        String line;
        while ((line = readLine(in)) != null && !line.equals(".")) {
            text.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        return text.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
