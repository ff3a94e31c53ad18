package dev.petrel.queue;

/** Which router took a recipient and the transport it chose; {@code driver} is the router's driver. */
public record Route(String router, String driver, String transport) {
}
