// What a run must undo however it ends: a throwaway registry, servers, temporary folders. A run
// registers each undo here; `finally` blocks call them on the normal paths, and SIGINT/SIGTERM
// (Ctrl-C, a CI timeout) run the ones left before the process exits.
const tasks = new Set();

/** Registers `task`; the returned function runs it once and unregisters it. */
export function onCleanup(task) {
  let done;
  const run = () => {
    tasks.delete(run);
    done ??= Promise.resolve().then(task);
    return done;
  };
  tasks.add(run);
  return run;
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping what this run started…`);
    Promise.allSettled([...tasks].map((task) => task())).finally(() => process.exit(code));
  });
}
