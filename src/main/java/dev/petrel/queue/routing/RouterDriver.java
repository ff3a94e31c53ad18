package dev.petrel.queue.routing;

/**
 * One configured router: its driver's way of routing an address. The chain has already checked the generic
 * preconditions ({@code domains}); a driver only says what it makes of an address that passed them.
 */
public interface RouterDriver {

    /** @param domain lower case, never empty (an unqualified address has been given {@code qualify_domain}) */
    RoutingResult route(String localPart, String domain);
}
