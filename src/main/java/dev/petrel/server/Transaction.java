package dev.petrel.server;

import dev.petrel.spool.Reception;

import java.util.ArrayList;
import java.util.List;

/** One mail transaction: from MAIL to the end of its message (or RSET). */
final class Transaction {
    final String sender;
    final boolean smtputf8;
    final List<String> recipients = new ArrayList<>();
    Reception reception;
    /** BDAT was used: DATA is no longer allowed in this transaction. */
    boolean chunking;
    /** The message passed the size limit; it is read to its end and refused. */
    boolean oversize;
    /** Octets of message data received so far, excluding the Received header Petrel adds. */
    long dataSize;
    final HeaderScanner headers = new HeaderScanner();

    Transaction(String sender, boolean smtputf8) {
        this.sender = sender;
        this.smtputf8 = smtputf8;
    }

    boolean receiving() {
        return reception != null;
    }
}
