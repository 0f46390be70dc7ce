package io.beamline.worker.block.fs;

/**
 * The successive file contents of the crash test. Every version is recognisable and complete in
 * itself: its first line names it, and it can be regenerated exactly from that name. Sizes
 * differ between versions so that a file mixing two of them, or cut short, cannot pass.
 */
final class CrashedWriterVersions {
    static final String TENANT = "crash-tenant";
    static final String PATH = "blobs/versioned.txt";

    private CrashedWriterVersions() {
    }

    static String content(int version) {
        int size = 1024 * 1024 + (version % 5) * 256 * 1024;
        StringBuilder text = new StringBuilder(size + 64);
        text.append("version ").append(version).append('\n');
        for (int line = 0; text.length() < size; line++) {
            text.append("v").append(version).append(" line ").append(line).append(" abcdefghijklmnopqrstuvwxyz\n");
        }
        return text.toString();
    }

    static int versionOf(String content) {
        int end = content.indexOf('\n');
        if (!content.startsWith("version ") || end < 0) {
            throw new AssertionError("not a version header: " + content.substring(0, Math.min(40, content.length())));
        }
        return Integer.parseInt(content.substring("version ".length(), end));
    }
}
