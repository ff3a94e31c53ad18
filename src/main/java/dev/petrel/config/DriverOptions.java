package dev.petrel.config;

import java.util.HashMap;
import java.util.Map;

/** Which options each router and transport driver accepts, and how their values are checked. */
final class DriverOptions {
    enum Type { STRING, BOOLEAN, TIME, HOST_LIST, DOMAIN_LIST, OCTAL, PORT }

    static final Map<String, Map<String, Type>> ROUTERS;
    static final Map<String, Map<String, Type>> TRANSPORTS;

    static {
        Map<String, Type> generic = Map.of(
                "driver", Type.STRING,
                "domains", Type.DOMAIN_LIST,
                "transport", Type.STRING,
                "self", Type.STRING,
                "more", Type.BOOLEAN,
                "local_parts", Type.STRING,
                "check_local_user", Type.BOOLEAN);
        Map<String, Type> manualroute = new HashMap<>(generic);
        manualroute.put("route_list", Type.STRING);
        manualroute.put("route_data", Type.STRING);
        manualroute.put("hosts_randomize", Type.BOOLEAN);
        manualroute.put("host_find_failed", Type.STRING);
        ROUTERS = Map.of(
                "accept", generic,
                "dnslookup", generic,
                "manualroute", Map.copyOf(manualroute));

        Map<String, Type> appendfile = new HashMap<>();
        appendfile.put("driver", Type.STRING);
        appendfile.put("directory", Type.STRING);
        appendfile.put("file", Type.STRING);
        appendfile.put("maildir_format", Type.BOOLEAN);
        appendfile.put("create_directory", Type.BOOLEAN);
        appendfile.put("delivery_date_add", Type.BOOLEAN);
        appendfile.put("envelope_to_add", Type.BOOLEAN);
        appendfile.put("return_path_add", Type.BOOLEAN);
        appendfile.put("mode", Type.OCTAL);

        Map<String, Type> smtp = new HashMap<>();
        smtp.put("driver", Type.STRING);
        smtp.put("port", Type.PORT);
        smtp.put("hosts", Type.STRING);
        smtp.put("helo_data", Type.STRING);
        smtp.put("interface", Type.STRING);
        smtp.put("tls_sni", Type.STRING);
        smtp.put("tls_certificate", Type.STRING);
        smtp.put("tls_privatekey", Type.STRING);
        for (String hostList : new String[] {"hosts_pipe_connect", "hosts_try_chunking", "hosts_avoid_pipelining",
                "tls_resumption_hosts", "hosts_require_tls", "hosts_avoid_tls", "tls_verify_hosts",
                "tls_try_verify_hosts", "hosts_try_fastopen"}) {
            smtp.put(hostList, Type.HOST_LIST);
        }
        smtp.put("connect_timeout", Type.TIME);
        smtp.put("command_timeout", Type.TIME);
        smtp.put("data_timeout", Type.TIME);
        TRANSPORTS = Map.of("appendfile", Map.copyOf(appendfile), "smtp", Map.copyOf(smtp));
    }

    private DriverOptions() {}
}
