package org.mmspec.check;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed set of threads that run one indexed loop at a time: {@link #forEach} hands out blocks of
 * indices from a shared counter (so a slow block does not hold the others back) and returns when
 * every index has run. The caller's thread is one of the workers; with one thread the loop simply
 * runs on the caller. Returning from {@link #forEach} is a barrier: everything the workers wrote
 * is visible to the caller (the futures' completion orders it).
 */
final class Workers implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "mmspec-explorer");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} for every index in {@code [0, n)}, {@code block} indices at a time. */
    void forEach(int n, int block, IntConsumer body) {
        if (pool == null || n <= block) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int s; (s = next.getAndAdd(block)) < n;) {
                int end = Math.min(n, s + block);
                for (int i = s; i < end; i++) {
                    body.accept(i);
                }
            }
        };
        int helpers = Math.min(threads - 1, (n + block - 1) / block - 1);
        List<Future<?>> running = new ArrayList<>(helpers);
        for (int t = 0; t < helpers; t++) {
            running.add(pool.submit(worker));
        }
        Throwable first = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            first = e;
            next.set(n); // stop handing out blocks
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                first = first == null ? e.getCause() : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = first == null ? e : first;
            }
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException("explorer worker failed", first);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
