package io.beamline.worker.block;

import io.beamline.worker.block.TenantPaths.PathRefusedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * An open directory inside a tenant's root, reached from the root one name at a time without
 * following a symbolic link ({@code openat} with {@code O_NOFOLLOW}, through
 * {@link SecureDirectoryStream}); files in it are opened, renamed and removed relative to it
 * the same way. {@link TenantPaths} decides which paths are legal, links that stay inside
 * included, and hands over where they really lead; this class makes the open itself keep to
 * that: a link swapped into the path after the check (by anyone who can make links in the
 * tenant's directory) makes the open fail with {@link PathRefusedException} instead of leaving
 * the root. Every name given to it is a single component: a longer relative path would let
 * {@code openat} follow links in its middle.
 *
 * <p>Not thread-safe: one step opens it and uses it from one thread at a time, then closes it.
 */
public final class ConfinedDirectory implements AutoCloseable {
    private final SecureDirectoryStream<Path> stream;

    private ConfinedDirectory(SecureDirectoryStream<Path> stream) {
        this.stream = stream;
    }

    /** Called with the directory in which {@link #openCreating} just made a new directory, to make that durable. */
    @FunctionalInterface
    public interface CreatedIn {
        void directoryCreated(ConfinedDirectory parent) throws IOException;
    }

    /** Opens {@code root/below}; each name of {@code below} must be a directory, not a link. */
    public static ConfinedDirectory open(Path root, Path below) throws IOException {
        return walk(root, below, Optional.empty());
    }

    /**
     * {@link #open}, creating missing directories on the way. {@code mkdir} has no "at" form in
     * Java, so a new directory is made by path and then opened like any other; should a link be
     * swapped in between, the directory may be created where the link points, but it stays
     * empty: the walk refuses to enter it.
     */
    public static ConfinedDirectory openCreating(Path root, Path below, CreatedIn createdIn) throws IOException {
        return walk(root, below, Optional.of(createdIn));
    }

    private static ConfinedDirectory walk(Path root, Path below, Optional<CreatedIn> creating) throws IOException {
        ConfinedDirectory current = new ConfinedDirectory(secure(Files.newDirectoryStream(root)));
        Path walked = root;
        try {
            for (Path name : below) {
                if (name.toString().isEmpty()) {
                    break;  // Path.of(""): the root itself
                }
                walked = walked.resolve(name);
                ConfinedDirectory next = creating.isPresent()
                        ? current.childCreating(name, walked, creating.get())
                        : current.child(name);
                current.close();
                current = next;
            }
            return current;
        } catch (IOException | RuntimeException e) {
            current.close();
            throw e;
        }
    }

    private static SecureDirectoryStream<Path> secure(DirectoryStream<Path> stream) throws IOException {
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return secure;
        }
        stream.close();
        // fail closed: without openat the race this class exists for cannot be ruled out
        throw new FileSystemException("this platform cannot open files without following links (no SecureDirectoryStream)");
    }

    private ConfinedDirectory child(Path name) throws IOException {
        // Look first: opening a FIFO blocks until a writer comes. What is there may still change
        // before the open; O_NOFOLLOW then refuses a link, but not a FIFO (a hang, not an escape).
        BasicFileAttributes attributes = attributes(name).orElseThrow(() -> new NoSuchFileException(name.toString()));
        if (attributes.isSymbolicLink()) {
            throw linkRefused(name);
        }
        if (!attributes.isDirectory()) {
            throw notADirectory(name);
        }
        try {
            return new ConfinedDirectory(stream.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            throw e;
        } catch (NotDirectoryException e) {
            throw notADirectory(name);
        } catch (IOException e) {
            throw refusedIfLink(name, e);
        }
    }

    private ConfinedDirectory childCreating(Path name, Path path, CreatedIn createdIn) throws IOException {
        try {
            return child(name);
        } catch (NoSuchFileException e) {
            try {
                Files.createDirectory(path);
                createdIn.directoryCreated(this);
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile by another step (or replaced by a link, which child refuses)
            }
            return child(name);
        }
    }

    private static FileSystemException notADirectory(Path name) {
        return new FileSystemException(name.toString(), null, "a parent of the path is a file, not a directory");
    }

    private static PathRefusedException linkRefused(Path name) {
        return new PathRefusedException("\"" + name + "\" became a symbolic link after the path was checked");
    }

    /** What is at {@code name} itself (a link is not followed), if anything. */
    public Optional<BasicFileAttributes> attributes(Path name) throws IOException {
        try {
            return Optional.of(stream.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Opens the file {@code name}; a link there is refused, never followed. Reading FIFOs and
     * devices can block for good, so callers check {@link #attributes} first.
     */
    public FileChannel openFile(Path name, OpenOption... options) throws IOException {
        Set<OpenOption> noFollow = new HashSet<>(Set.of(options));
        noFollow.add(LinkOption.NOFOLLOW_LINKS);
        SeekableByteChannel channel;
        try {
            channel = stream.newByteChannel(name, noFollow);
        } catch (NoSuchFileException | FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            throw refusedIfLink(name, e);
        }
        if (channel instanceof FileChannel file) {
            return file;  // what the JDK's Unix implementation returns
        }
        channel.close();
        throw new FileSystemException(name.toString(), null, "the platform did not open a FileChannel");
    }

    /** Renames {@code from} over {@code to}, both in this directory ({@code renameat}: atomic, replaces a link itself). */
    public void rename(Path from, Path to) throws IOException {
        stream.move(from, stream, to);
    }

    /** Removes {@code name} (a link itself, never what it points to); false when nothing was there. */
    public boolean deleteFileIfExists(Path name) throws IOException {
        try {
            stream.deleteFile(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** This directory itself, opened for reading, e.g. to fsync it. */
    public FileChannel openSelf() throws IOException {
        return openFile(Path.of("."), StandardOpenOption.READ);
    }

    private IOException refusedIfLink(Path name, IOException failure) {
        // ELOOP has no exception type of its own: ask what is there now
        boolean link;
        try {
            link = attributes(name).map(BasicFileAttributes::isSymbolicLink).orElse(false);
        } catch (IOException e) {
            failure.addSuppressed(e);
            return failure;
        }
        if (link) {
            throw linkRefused(name);
        }
        return failure;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
