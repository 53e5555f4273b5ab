package org.vgpu.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Resource table keyed by the guest's u32 resource id, without boxing the key on lookup
 * (TRANSFER and FLUSH look up a resource on every command). Key 0 marks an empty slot; 0 is never
 * a valid resource id. Linear probing, backward-shift deletion. Not thread-safe.
 */
final class IntMap<V> {
    private int[] keys = new int[64];
    private Object[] values = new Object[64];
    private int size;

    private static int slot(int key, int mask) {
        int h = key * 0x9E3779B9; // Fibonacci hashing spreads sequential ids
        return (h ^ h >>> 16) & mask;
    }

    @SuppressWarnings("unchecked")
    V get(int key) {
        if (key == 0) {
            return null;
        }
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = i + 1 & mask) {
            int k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    void put(int key, V value) {
        if (key == 0) {
            throw new IllegalArgumentException("key 0");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0 && keys[i] != key) {
            i = i + 1 & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    @SuppressWarnings("unchecked")
    V remove(int key) {
        if (key == 0) {
            return null;
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == 0) {
                return null;
            }
            i = i + 1 & mask;
        }
        V old = (V) values[i];
        // Backward shift: move later entries of the probe run into the hole so lookups stay correct.
        int hole = i;
        for (int j = hole + 1 & mask; keys[j] != 0; j = j + 1 & mask) {
            int home = slot(keys[j], mask);
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        size--;
        return old;
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    List<V> values() {
        List<V> list = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                list.add((V) values[i]);
            }
        }
        return list;
    }

    void forEach(java.util.function.BiConsumer<Integer, V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                action.accept(keys[i], uncheckedValue(values[i]));
            }
        }
    }

    void clear() {
        keys = new int[64];
        values = new Object[64];
        size = 0;
    }

    private void grow() {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], uncheckedValue(oldValues[i]));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private V uncheckedValue(Object o) {
        return (V) o;
    }
}
