package org.vgpu.display.vnc;

/**
 * What a client has not yet been sent: a bitmap of 16x16-pixel tiles over the framebuffer. Marking
 * is the union of damage rects (a tile marked twice is sent once); {@link #takeRects} turns the
 * marked tiles into few rectangles (runs of tiles per tile row, merged with the run above when it
 * spans the same columns) and clears them. Fixed size per framebuffer size: no allocation per update.
 */
final class DamageGrid {
    static final int TILE = 16;

    private int width, height, cols, rows;
    private boolean[] dirty = new boolean[0];
    private int count;

    DamageGrid(int width, int height) {
        resize(width, height);
    }

    /** A new framebuffer size; everything is marked. */
    void resize(int width, int height) {
        this.width = width;
        this.height = height;
        cols = (width + TILE - 1) / TILE;
        rows = (height + TILE - 1) / TILE;
        if (dirty.length < cols * rows) {
            dirty = new boolean[cols * rows];
        }
        mark(0, 0, width, height);
    }

    /** Marks the tiles the rect touches (clipped to the framebuffer). */
    void mark(int x, int y, int w, int h) {
        int x0 = Math.max(0, x), y0 = Math.max(0, y);
        int x1 = Math.min(width, x + w), y1 = Math.min(height, y + h);
        if (x1 <= x0 || y1 <= y0) {
            return;
        }
        for (int ty = y0 / TILE; ty <= (y1 - 1) / TILE; ty++) {
            for (int tx = x0 / TILE; tx <= (x1 - 1) / TILE; tx++) {
                int i = ty * cols + tx;
                if (!dirty[i]) {
                    dirty[i] = true;
                    count++;
                }
            }
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Writes the marked area as rectangles (x, y, w, h quadruples) clipped to clipW x clipH into
     * out, at most out.length / 4 of them (when more would be needed, the rest stays marked for the
     * next update). Clears what it returns. Returns the number of rectangles.
     */
    int takeRects(int[] out, int clipW, int clipH) {
        int n = 0;
        int max = out.length / 4;
        for (int ty = 0; ty < rows; ty++) {
            int tx = 0;
            while (tx < cols) {
                if (!dirty[ty * cols + tx]) {
                    tx++;
                    continue;
                }
                int start = tx;
                while (tx < cols && dirty[ty * cols + tx]) {
                    tx++;
                }
                int rx = start * TILE, ry = ty * TILE;
                int rw = Math.min(tx * TILE, Math.min(width, clipW)) - rx;
                int rh = Math.min(ry + TILE, Math.min(height, clipH)) - ry;
                int merged = mergeAbove(out, n, rx, ry, rw);
                if (merged < 0 && n == max) {
                    continue; // no room: these tiles stay marked
                }
                for (int c = start; c < tx; c++) {
                    dirty[ty * cols + c] = false;
                    count--;
                }
                if (rw <= 0 || rh <= 0) {
                    continue; // outside what the client knows of (a pending resize)
                }
                if (merged >= 0) {
                    out[merged * 4 + 3] += rh;
                } else {
                    out[n * 4] = rx;
                    out[n * 4 + 1] = ry;
                    out[n * 4 + 2] = rw;
                    out[n * 4 + 3] = rh;
                    n++;
                }
            }
        }
        return n;
    }

    /** The index of an earlier rect with the same columns that ends at row y, or -1. */
    private static int mergeAbove(int[] out, int n, int x, int y, int w) {
        for (int i = n - 1; i >= 0; i--) {
            if (out[i * 4] == x && out[i * 4 + 2] == w && out[i * 4 + 1] + out[i * 4 + 3] == y) {
                return i;
            }
            if (out[i * 4 + 1] + out[i * 4 + 3] < y) {
                return -1; // rects are in row order: nothing earlier ends at y
            }
        }
        return -1;
    }
}
