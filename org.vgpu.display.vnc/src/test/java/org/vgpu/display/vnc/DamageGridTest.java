package org.vgpu.display.vnc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class DamageGridTest {
    private static List<List<Integer>> take(DamageGrid g, int max, int clipW, int clipH) {
        int[] out = new int[max * 4];
        int n = g.takeRects(out, clipW, clipH);
        List<List<Integer>> rects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rects.add(List.of(out[i * 4], out[i * 4 + 1], out[i * 4 + 2], out[i * 4 + 3]));
        }
        return rects;
    }

    @Test
    void aNewSizeIsAllDamagedAsOneRectClippedToTheFramebuffer() {
        DamageGrid g = new DamageGrid(100, 50);
        assertEquals(List.of(List.of(0, 0, 100, 50)), take(g, 16, 100, 50));
        assertTrue(g.isEmpty());
    }

    @Test
    void overlappingDamageIsSentOnceAndDisjointDamageApart() {
        DamageGrid g = new DamageGrid(256, 256);
        take(g, 16, 256, 256);
        g.mark(10, 10, 20, 5);
        g.mark(20, 12, 20, 10);   // overlaps it: tiles x 1..2, rows 0..1
        g.mark(200, 200, 1, 1);   // far away
        // The exact tile union, no pixel twice: row 0 tiles 0..2, row 1 tiles 1..2, and the far tile.
        assertEquals(List.of(List.of(0, 0, 48, 16), List.of(16, 16, 32, 16), List.of(192, 192, 16, 16)), take(g, 16, 256, 256));
        assertEquals(List.of(), take(g, 16, 256, 256), "taken damage is gone");
    }

    @Test
    void damageOutsideTheFramebufferIsIgnored() {
        DamageGrid g = new DamageGrid(64, 64);
        take(g, 16, 64, 64);
        g.mark(-100, -100, 50, 50);
        g.mark(64, 0, 10, 10);
        g.mark(0, 0, 0, 10);
        assertTrue(g.isEmpty());
    }

    @Test
    void moreRectsThanFitStayForTheNextUpdate() {
        DamageGrid g = new DamageGrid(256, 16);
        take(g, 16, 256, 16);
        for (int x = 0; x < 256; x += 32) {
            g.mark(x, 0, 1, 1); // 8 separate tiles
        }
        assertEquals(3, take(g, 3, 256, 16).size());
        assertEquals(5, take(g, 16, 256, 16).size(), "the rest, next time");
        assertTrue(g.isEmpty());
    }

    @Test
    void damageBeyondWhatTheClientKnowsIsDropped() {
        DamageGrid g = new DamageGrid(128, 128);
        assertEquals(List.of(List.of(0, 0, 64, 64)), take(g, 16, 64, 64));
        assertTrue(g.isEmpty());
    }
}
