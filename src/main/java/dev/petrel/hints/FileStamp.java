package dev.petrel.hints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What {@code stat} says of a file, to tell that it has changed since it was last read: a file replaced
 * (another inode), rewritten (its modification time) or grown or cut (its size) gives another stamp. A rewrite
 * to the same size within one tick of the filesystem's clock does not; callers say what that costs them.
 *
 * @param fileKey the file's identity (device and inode), null when the file is not there
 */
public record FileStamp(Object fileKey, FileTime modified, long size) {
    private static final FileStamp ABSENT = new FileStamp(null, null, -1);

    /** The file's stamp; one that equals no file's when it is not there or cannot be looked at. */
    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.fileKey(), a.lastModifiedTime(), a.size());
        } catch (IOException e) {
            return ABSENT;
        }
    }
}
