package dev.petrel.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/** IP literal handling that never touches DNS: a typo like {@code 300.1.1.1} must be an error, not a lookup. */
public final class IpAddresses {
    private static final Pattern V4_SHAPE = Pattern.compile("[0-9.]+");
    private static final Pattern V6_SHAPE = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpAddresses() {}

    /** Whether the text claims to be an IP address (so that it must parse as one, rather than be a host name). */
    static boolean looksLikeIp(String s) {
        return V4_SHAPE.matcher(s).matches() || s.indexOf(':') >= 0;
    }

    /** Parses an IPv4 or IPv6 literal; IPv4-mapped IPv6 comes back as IPv4. */
    public static InetAddress parse(String s) {
        if (V4_SHAPE.matcher(s).matches()) {
            return parseV4(s);
        }
        if (s.indexOf(':') >= 0) {
            // The shape check keeps InetAddress from falling back to a DNS lookup.
            if (!V6_SHAPE.matcher(s).matches()) {
                throw new IllegalArgumentException("\"" + s + "\" is not a valid IPv6 address");
            }
            try {
                return normalize(InetAddress.getByName(s));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("\"" + s + "\" is not a valid IPv6 address");
            }
        }
        throw new IllegalArgumentException("\"" + s + "\" is not an IP address");
    }

    private static InetAddress parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("\"" + s + "\" is not a valid IPv4 address");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                throw new IllegalArgumentException("\"" + s + "\" is not a valid IPv4 address");
            }
            bytes[i] = (byte) Integer.parseInt(p);
        }
        return byAddress(bytes);
    }

    /** Exim compares an IPv4 client that arrived on an IPv6 socket as plain IPv4; so do we. */
    static InetAddress normalize(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                return byAddress(Arrays.copyOfRange(b, 12, 16));
            }
        }
        return a;
    }

    static boolean sameAddress(InetAddress a, InetAddress b) {
        return Arrays.equals(normalize(a).getAddress(), normalize(b).getAddress());
    }

    /** True when the first {@code bits} bits of {@code addr} equal those of {@code net} (same family only). */
    static boolean inPrefix(byte[] addr, byte[] net, int bits) {
        if (addr.length != net.length) {
            return false;
        }
        int whole = bits / 8;
        for (int i = 0; i < whole; i++) {
            if (addr[i] != net[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (addr[whole] & mask) == (net[whole] & mask);
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always valid", e);
        }
    }
}
