package dev.petrel.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** RFC 6125 name checking: DNS subjectAltNames (leftmost-label wildcard), IP SANs, CN only without SANs. */
final class HostnameMatch {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private HostnameMatch() {}

    static boolean matches(X509Certificate cert, String name, boolean isAddress) {
        String want = name.toLowerCase(Locale.ROOT);
        boolean sawDns = false;
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    String value = String.valueOf(san.get(1));
                    if (type == SAN_DNS) {
                        sawDns = true;
                        if (!isAddress && dnsMatch(value.toLowerCase(Locale.ROOT), want)) {
                            return true;
                        }
                    } else if (type == SAN_IP && isAddress && sameAddress(value, name)) {
                        return true;
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        return !sawDns && !isAddress && cnMatches(cert, want);
    }

    private static boolean dnsMatch(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean cnMatches(X509Certificate cert, String want) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && dnsMatch(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT), want)) {
                    return true;
                }
            }
        } catch (InvalidNameException e) {
            return false;
        }
        return false;
    }
}
