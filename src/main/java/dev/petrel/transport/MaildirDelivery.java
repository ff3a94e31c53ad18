package dev.petrel.transport;

import dev.petrel.config.TransportConfig;
import dev.petrel.config.TransportOptions;
import dev.petrel.config.TransportOptions.Appendfile;
import dev.petrel.log.LogText;
import dev.petrel.spool.SpooledMessage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The appendfile transport with {@code maildir_format}: one file per message in {@code directory/new}.
 *
 * <p>A delivery must happen at most once even if the process is killed at any instant and the queue then
 * retries the recipient. So the file name is derived from (message id, recipient) instead of being unique
 * per attempt, and the file becomes visible with a hard link, which fails if the name already exists:
 * whichever attempt links first delivers, any later one finds the name and reports success without a
 * second copy. A name already in {@code cur/} means a mail client has seen it since.
 */
public final class MaildirDelivery implements Transport.PerRecipient {
    private static final int CHUNK = 64 * 1024;

    private final String name;
    private final String directory;
    private final Path relativeTo;
    private final String hostPart;
    private final boolean returnPathAdd;
    private final boolean envelopeToAdd;
    private final boolean deliveryDateAdd;
    private final String primaryHostname;
    private final HeadersAdd headersAdd;
    private final HeadersRemove headersRemove;
    private final StaleTmpFiles staleTmp = new StaleTmpFiles();
    private final DirectorySyncs newDirSyncs = new DirectorySyncs();
    private final SeenNames seenInCur = new SeenNames();

    /**
     * @param relativeTo where a relative {@code directory} option is rooted (the daemon's working directory;
     *                   Exim insists on absolute paths, the embedded default config does not)
     * @param log where a {@code headers_add} line left out is reported
     */
    public MaildirDelivery(TransportConfig transport, String primaryHostname, Path relativeTo, Consumer<String> log) {
        this.name = transport.name();
        this.directory = transport.get(Appendfile.DIRECTORY);
        if (directory == null || directory.isBlank()) {
            throw new IllegalArgumentException("transport " + name + ": appendfile needs a directory option");
        }
        this.relativeTo = relativeTo;
        this.hostPart = maildirSafe(primaryHostname);
        this.returnPathAdd = transport.get(Appendfile.RETURN_PATH_ADD);
        this.envelopeToAdd = transport.get(Appendfile.ENVELOPE_TO_ADD);
        this.deliveryDateAdd = transport.get(Appendfile.DELIVERY_DATE_ADD);
        this.primaryHostname = primaryHostname;
        this.headersAdd = new HeadersAdd(transport.get(TransportOptions.HEADERS_ADD), name, log);
        this.headersRemove = new HeadersRemove(transport.get(TransportOptions.HEADERS_REMOVE), name);
    }

    public String name() {
        return name;
    }

    @Override
    public DeliveryResult deliver(SpooledMessage message, String recipient) {
        Address address = Address.parse(recipient);
        String unsafe = unsafeReason(address);
        if (unsafe != null) {
            return DeliveryResult.failed(unsafe);
        }
        Path maildir;
        try {
            maildir = maildirFor(address);
        } catch (IllegalArgumentException e) {
            return DeliveryResult.deferred(-1, e.getMessage());
        }
        String fileName = fileName(message, recipient);
        try {
            deliverOnce(message, recipient, maildir, fileName);
            return DeliveryResult.delivered(address.localPart());
        } catch (IOException e) {
            return DeliveryResult.deferred(errno(e), "failed to write maildir file in " + maildir + ": " + describe(e));
        } catch (IllegalArgumentException e) {
            return DeliveryResult.deferred(-1, e.getMessage()); // headers_add or headers_remove did not expand
        }
    }

    /**
     * The name under {@code tmp/}, {@code new/} and (with a client's suffix) {@code cur/}: the usual maildir
     * shape "time.unique.host", with the unique part fixed per message and recipient.
     */
    public String fileName(SpooledMessage message, String recipient) {
        return message.envelope().receivedAt().getEpochSecond() + "." + message.id() + "_" + recipientTag(recipient)
                + "." + hostPart;
    }

    Path maildirFor(Address address) {
        String expanded = Expansion.forRecipient(address).expand(directory);
        Path path = relativeTo.resolve(expanded);
        // The variables were checked already; this catches a template that itself climbs out ("../$local_part").
        for (Path part : path) {
            String s = part.toString();
            if (s.equals(".") || s.equals("..")) {
                throw new IllegalArgumentException("directory \"" + expanded + "\" contains a . or .. component");
            }
        }
        return path;
    }

    private void deliverOnce(SpooledMessage message, String recipient, Path maildir, String fileName)
            throws IOException {
        Path tmpDir = maildir.resolve("tmp");
        Path newDir = maildir.resolve("new");
        Path curDir = maildir.resolve("cur");
        createMaildir(maildir, tmpDir, newDir, curDir);
        staleTmp.sweepIfDue(tmpDir);
        // In new/ a file keeps its name until a client moves it to cur/: the link below finds it there.
        if (seenInCur.contains(curDir, fileName)) {
            return;
        }
        Path temp = tmpDir.resolve(fileName);
        Path visible = newDir.resolve(fileName);
        try {
            writeMessage(message, recipient, temp);
            try {
                Files.createLink(visible, temp);
            } catch (FileAlreadyExistsException e) {
                // An earlier attempt got this far before the process died: that one was the delivery.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        newDirSyncs.of(newDir).changedAndWait();
    }

    private void writeMessage(SpooledMessage message, String recipient, Path temp) throws IOException {
        try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), permissions(temp, "rw-------"));
             InputStream in = message.openData()) {
            StringBuilder added = new StringBuilder(160);
            if (returnPathAdd) {
                added.append("Return-path: <").append(message.envelope().sender()).append(">\n");
            }
            if (envelopeToAdd) {
                added.append("Envelope-to: ").append(recipient).append('\n');
            }
            if (deliveryDateAdd) {
                added.append("Delivery-date: ").append(MailDate.now()).append('\n');
            }
            writeFully(out, ByteBuffer.wrap(added.toString().getBytes(StandardCharsets.UTF_8)));
            if (headersAdd.isEmpty() && headersRemove.isEmpty()) {
                copyWithUnixLineEnds(in, out);
            } else {
                Address address = Address.parse(recipient);
                Expansion e = Expansion.forRecipient(address).with(Map.of("primary_hostname", primaryHostname));
                byte[] text = headersAdd.apply(headersRemove.apply(in.readAllBytes(), e), e, message.id());
                copyWithUnixLineEnds(new ByteArrayInputStream(text), out);
            }
            out.force(true);
        }
    }

    /** Maildir files use LF; the spool keeps the CRLF of the wire. A CR not followed by LF is content. */
    static void copyWithUnixLineEnds(InputStream in, FileChannel out) throws IOException {
        byte[] chunk = new byte[CHUNK];
        byte[] converted = new byte[CHUNK + 1];
        boolean pendingCr = false;
        int n;
        while ((n = in.read(chunk)) > 0) {
            int w = 0;
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (pendingCr && b != '\n') {
                    converted[w++] = '\r';
                }
                pendingCr = b == '\r';
                if (!pendingCr) {
                    converted[w++] = b;
                }
            }
            writeFully(out, ByteBuffer.wrap(converted, 0, w));
        }
        if (pendingCr) {
            writeFully(out, ByteBuffer.wrap(new byte[] {'\r'}));
        }
    }

    private static void createMaildir(Path maildir, Path... subdirs) throws IOException {
        boolean createdTop = !Files.isDirectory(maildir);
        if (createdTop) {
            Files.createDirectories(maildir);
        }
        boolean createdSub = false;
        for (Path sub : subdirs) {
            if (!Files.isDirectory(sub)) {
                try {
                    Files.createDirectory(sub, permissions(sub, "rwx------"));
                } catch (FileAlreadyExistsException e) {
                    // Another worker delivering to the same mailbox made it first.
                }
                createdSub = true;
            }
        }
        // A message linked into a new/ that itself vanishes in a crash would be lost: make the directories durable.
        if (createdSub) {
            fsyncDirectory(maildir);
        }
        if (createdTop && maildir.toAbsolutePath().getParent() != null) {
            fsyncDirectory(maildir.toAbsolutePath().getParent());
        }
    }

    private static FileAttribute<?>[] permissions(Path path, String mode) {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))};
        }
        return new FileAttribute<?>[0];
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            out.write(data);
        }
    }

    /**
     * Local parts and domains come from the SMTP client and end up in a path: anything that could leave the
     * intended directory, hide a file, or confuse a shell script reading the mailbox tree is refused.
     */
    static String unsafeReason(Address address) {
        String local = address.localPart();
        if (local.isEmpty() || local.startsWith(".") || hasUnsafeChar(local)) {
            return "local part " + LogText.quoted(local) + " is unsafe in a file name";
        }
        String domain = address.domain();
        if (domain.startsWith(".") || hasUnsafeChar(domain)) {
            return "domain " + LogText.quoted(domain) + " is unsafe in a file name";
        }
        return null;
    }

    private static boolean hasUnsafeChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /**
     * A hash of the address as it selects the mailbox (lowercased, like the maildir path), so that {@code U1@x}
     * and {@code u1@x} can never leave two files for one message in one mailbox.
     */
    private static String recipientTag(String recipient) {
        String canonical = Address.parse(recipient).canonical();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** The maildir convention for a host name: "/" and ":" would break the name's structure. */
    private static String maildirSafe(String hostname) {
        String host = hostname == null || hostname.isEmpty() ? "localhost" : hostname;
        return host.replace("/", "\\057").replace(":", "\\072");
    }

    private static int errno(IOException e) {
        if (e instanceof AccessDeniedException) {
            return 13;
        }
        String text = String.valueOf(e.getMessage());
        if (text.contains("No space left")) {
            return 28;
        }
        if (text.contains("quota")) {
            return 122;
        }
        return -1;
    }

    /** The system's words for the error, as Exim logs strerror(), not Java's class names. */
    private static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason()
                    : e instanceof NoSuchFileException ? "No such file or directory"
                    : e instanceof AccessDeniedException ? "Permission denied"
                    : e instanceof FileAlreadyExistsException ? "File exists"
                    : "error";
            return f.getFile() == null ? reason : f.getFile() + ": " + reason;
        }
        return String.valueOf(e.getMessage());
    }
}
