package dev.petrel.queue.dns;

import java.util.List;

/**
 * What one DNS question came to. The routers need the four outcomes kept apart: records; a name that exists
 * without records of that type (for MX: use the implicit MX); a name that does not exist (the address is
 * unrouteable); and no answer to be had now (the delivery is deferred, never failed).
 */
public sealed interface Lookup<T> {

    /** @param name the name the records belong to: the one asked for, or the end of its CNAME chain */
    record Found<T>(String name, List<T> records) implements Lookup<T> {
        public Found {
            records = List.copyOf(records);
        }
    }

    /** The name exists but has no records of the type asked for (NOERROR with an empty answer). */
    record NoData<T>() implements Lookup<T> {}

    /** NXDOMAIN, or a name that cannot be a domain at all. */
    record NoSuchDomain<T>() implements Lookup<T> {}

    /** SERVFAIL, REFUSED, a timeout or a broken answer: worth asking again later. */
    record TryAgain<T>(String reason) implements Lookup<T> {}
}
