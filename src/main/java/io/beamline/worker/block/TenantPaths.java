package io.beamline.worker.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Confines every path a job names to its tenant's root, {@code <data-dir>/<tenant_id>/} (SPEC
 * §4.2). Job paths are always relative to that root: a leading {@code /} is ignored, so
 * {@code /data/input.json} means {@code <root>/data/input.json}. Refused, as
 * {@link PathRefusedException} (reported as 2003 permission denied): {@code ..} segments,
 * backslashes, control characters, percent-encoded dots and separators, empty paths, and any
 * path whose real location (after following symlinks) leaves the root. That check is by
 * name; the blocks then open what it found through {@link ConfinedDirectory}, which refuses a
 * link swapped in since. Stateless and thread-safe.
 */
public final class TenantPaths {
    /** Percent-encoded '.', '/', '\' and '%' (double encoding): no legitimate file name needs them. */
    private static final Pattern ENCODED_TRAVERSAL = Pattern.compile("%(2e|2f|5c|25)", Pattern.CASE_INSENSITIVE);
    /** A Windows drive prefix ("c:…"); compiled once (String.matches compiled it for every fs step). */
    private static final Pattern DRIVE_LETTER = Pattern.compile("[a-z]:.*");
    private static final int MAX_PATH_LENGTH = 1024;

    private final Path dataDir;

    public TenantPaths(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The tenant's root directory, created when missing. */
    public Path root(String tenantId) throws IOException {
        Path root = rootPath(tenantId);
        ensureDirectory(root);
        return root;
    }

    private Path rootPath(String tenantId) {
        Path root = dataDir.resolve(tenantId).normalize();
        if (!root.getParent().equals(dataDir)) {
            throw new PathRefusedException("tenant id does not name a directory under the data dir");
        }
        return root;
    }

    private static void ensureDirectory(Path root) throws IOException {
        // isDirectory first: createDirectories on an existing directory makes a mkdir fail with
        // EEXIST and builds an exception for it
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
        }
    }

    /**
     * A job path inside its tenant's root, and where it really leads, as names below the root
     * with no link among them (see {@link #locate}). Open through these, never through
     * {@code path}: a link swapped in after the check would be followed by name.
     *
     * @param path   the path as the job named it, resolved against the root (for messages)
     * @param root   the tenant's root
     * @param entry  the entry the path names, its directories' links resolved: what
     *               {@code fs.put} replaces and {@code fs.delete} removes (a link itself)
     * @param target what reading the path reaches, every link resolved
     */
    public record Located(Path path, Path root, Path entry, Path target) {
        /** The directory holding {@link #entry}, reached without following links. */
        public ConfinedDirectory openEntryDirectory() throws IOException {
            return ConfinedDirectory.open(root, parentOf(entry));
        }

        /** {@link #openEntryDirectory}, creating missing directories (see {@link ConfinedDirectory#openCreating}). */
        public ConfinedDirectory openEntryDirectoryCreating(ConfinedDirectory.CreatedIn createdIn) throws IOException {
            return ConfinedDirectory.openCreating(root, parentOf(entry), createdIn);
        }

        /** The directory holding {@link #target}, reached without following links. */
        public ConfinedDirectory openTargetDirectory() throws IOException {
            return ConfinedDirectory.open(root, parentOf(target));
        }

        public Path entryName() {
            return entry.getFileName();
        }

        public Path targetName() {
            return target.getFileName();
        }

        /** The absolute real location of {@link #target}, for the one opener that takes only a name (SQLite). */
        public Path realTarget() throws IOException {
            return root.toRealPath().resolve(target);
        }

        private static Path parentOf(Path below) {
            Path parent = below.getParent();
            return parent == null ? Path.of("") : parent;
        }
    }

    /**
     * Resolves {@code jobPath} inside the tenant's root. The file need not exist; when it or
     * any of its parents does, their real location must still be inside the root. The root is
     * created when missing.
     */
    public Path resolve(String tenantId, String jobPath) throws IOException {
        return locate(tenantId, jobPath).path();
    }

    /**
     * {@link #resolve}, and where the path really leads ({@link Located}).
     *
     * <p>The existing part of the path is walked down from the root, one {@code lstat} per
     * component: without a symbolic link below the root (the usual case) the real location is
     * inside by construction and the names are the job's own. Only a link makes it ask where
     * the path really leads ({@link Path#toRealPath}, a {@code readlink} per component of the
     * absolute path). Asking that for every path, and for the root too, took about twenty
     * system calls per fs step, most of the real {@code fs.get}'s CPU time.
     *
     * <p>This is a check by name: what it saw can change before the file is opened. Callers
     * open through {@link Located}'s {@link ConfinedDirectory}, which refuses a link that
     * appeared since.
     */
    public Located locate(String tenantId, String jobPath) throws IOException {
        String relative = checkSyntax(jobPath);
        Path root = rootPath(tenantId);
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new PathRefusedException("path \"" + jobPath + "\" leaves the tenant's directory");
        }
        if (TempFiles.isReserved(resolved)) {
            // the worker's temporary files (fs.put, downloads): a job's file so named would be swept at start
            throw new PathRefusedException("file names starting with " + TempFiles.PREFIX + " are reserved for the worker");
        }
        Path names = root.relativize(resolved);
        Path walked = root;
        int existing = 0;
        for (Path name : names) {
            walked = walked.resolve(name);
            BasicFileAttributes attributes = attributesIfExists(walked);
            if (attributes == null) {
                break;  // nothing below a missing component exists either
            }
            existing++;
            if (attributes.isSymbolicLink()) {
                return throughLinks(root, resolved, jobPath);
            }
        }
        if (existing == 0) {
            ensureDirectory(root);  // nothing of the path is there, maybe not even the root: a write needs it
        }
        return new Located(resolved, root, names, names);
    }

    /** {@link Located} for a path with a link on it; refused when the entry's directory or the target really lies outside the root. */
    private static Located throughLinks(Path root, Path resolved, String jobPath) throws IOException {
        Path realRoot = root.toRealPath();
        Path target = realBelow(realRoot, resolved, jobPath);
        if (target.toString().isEmpty()) {
            throw new PathRefusedException("path \"" + jobPath + "\" names the tenant's directory itself through a link");
        }
        Path directory = resolved.getParent().equals(root) ? Path.of("") : realBelow(realRoot, resolved.getParent(), jobPath);
        return new Located(resolved, root, directory.resolve(resolved.getFileName()), target);
    }

    /** Where {@code path} really lies, as names below {@code realRoot}: its deepest existing part with links resolved, then the rest. */
    private static Path realBelow(Path realRoot, Path path, String jobPath) throws IOException {
        // never runs past the root, which exists
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (IOException e) {
            // a dangling symlink: where it points is not ours to decide
            throw new PathRefusedException("path \"" + jobPath + "\" goes through a broken link");
        }
        if (!real.startsWith(realRoot)) {
            throw new PathRefusedException("path \"" + jobPath + "\" leaves the tenant's directory through a link");
        }
        return realRoot.relativize(real).resolve(existing.relativize(path));
    }

    /** The attributes of {@code path} itself (a link is not followed), or null when there is nothing there. */
    private static BasicFileAttributes attributesIfExists(Path path) {
        try {
            return path.getFileSystem().provider().readAttributesIfExists(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;  // e.g. a component that is a file, not a directory: nothing further exists
        }
    }

    private static String checkSyntax(String jobPath) {
        if (jobPath == null || jobPath.isBlank()) {
            throw new PathRefusedException("path must not be empty");
        }
        if (jobPath.length() > MAX_PATH_LENGTH) {
            throw new PathRefusedException("path is longer than " + MAX_PATH_LENGTH + " characters");
        }
        for (int i = 0; i < jobPath.length(); i++) {
            char c = jobPath.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new PathRefusedException("path contains a control character or backslash");
            }
        }
        if (jobPath.indexOf('%') >= 0 && ENCODED_TRAVERSAL.matcher(jobPath).find()) {
            throw new PathRefusedException("path contains percent-encoded separators or dots");
        }
        String relative = jobPath;
        while (relative.startsWith("/")) {
            relative = relative.substring(1);
        }
        for (String segment : relative.split("/")) {
            if (segment.equals("..")) {
                throw new PathRefusedException("path must not contain '..'");
            }
        }
        if (relative.isEmpty() || DRIVE_LETTER.matcher(relative.toLowerCase(Locale.ROOT)).matches()) {
            throw new PathRefusedException("path must name a file inside the tenant's directory");
        }
        return relative;
    }

    /** A job path that may not be used; blocks answer it with 2003 permission denied. */
    public static final class PathRefusedException extends SecurityException {
        public PathRefusedException(String message) {
            super(message);
        }
    }
}
