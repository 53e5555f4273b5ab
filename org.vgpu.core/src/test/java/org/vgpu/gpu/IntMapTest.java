package org.vgpu.gpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class IntMapTest {
    @Test
    void behavesLikeHashMap() {
        IntMap<Integer> m = new IntMap<>();
        Map<Integer, Integer> ref = new HashMap<>();
        Random r = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            int k = r.nextInt(2000) - 1000;
            if (k == 0) {
                continue;
            }
            switch (r.nextInt(3)) {
                case 0: m.put(k, i); ref.put(k, i); break;
                case 1: assertEquals(ref.remove(k), m.remove(k)); break;
                default: assertEquals(ref.get(k), m.get(k));
            }
            assertEquals(ref.size(), m.size());
        }
        for (Map.Entry<Integer, Integer> e : ref.entrySet()) {
            assertEquals(e.getValue(), m.get(e.getKey()));
        }
        assertNull(m.get(0));
    }
}
