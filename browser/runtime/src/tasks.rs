//! Web Workers as wasmer-wasix's task manager.
//!
//! Every worker runs this same runtime module on the same shared memory, so
//! Rust values (a boxed closure, a `WasiEnv`) pass between workers as a
//! pointer. JavaScript objects do not: a `WebAssembly.Module` or `Memory`
//! handle is local to the worker that holds it, so those are posted on a
//! `MessageChannel` of the job's own, whose receiving port travels with the
//! pointer, and are rebuilt into wasmer values on arrival.
//!
//! Why a channel and not the job message itself: that message goes through
//! the scheduler, and every isolate that deserialises a shared
//! `WebAssembly.Memory` keeps its address space reserved (about 10 GiB
//! each, with V8's guard regions) until that isolate collects its garbage.
//! The scheduler's isolate allocates little and so collects rarely: after
//! some hundreds of forks, new memories could not be reserved and the
//! shell died. Through the channel, only the sender and the receiver, both
//! busy allocating, ever see a process's memory.
//!
//! One worker, the kernel's, is the scheduler: it creates every other
//! worker (so that retiring one never takes nested workers with it), keeps
//! the idle ones for reuse, retires extra idle ones, and runs the shared
//! (asynchronous) tasks on its event loop. Any other worker reaches it with
//! `postMessage` to its parent. A blocking task gets a worker of its own
//! (one per process thread), so blocking tasks never wait for each other.
//!
//! Messages (plain objects, `kind` first):
//! - to the scheduler: `job {ptr, port?}`, `shared {ptr}`, `sleep {ptr, ms}`,
//!   `kill {worker, epoch}`, `idle`, `compiled {modules, modulesPtr}`, and
//!   whatever is for the page (forwarded to it);
//! - to a worker: `init {module, memory, id, modules?, modulesPtr?}` (the
//!   kernel's compiled guest modules, see [`crate::modules`]), `job {ptr, epoch, port?}`,
//!   `retire`;
//! - on a job's port: `{module?, memory?}`, once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use js_sys::{Object, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasmer::js::AsJs;
use wasmer::{Memory, MemoryType};
use wasmer_wasix::runtime::task_manager::{
    SpawnMemoryTypeOrStore, SpawnType, TaskWasm, TaskWasmCallbacks, TaskWasmRunProperties,
    VirtualTaskManager,
};
use wasmer_wasix::{StoreSnapshot, WasiEnv, WasiFunctionEnv, WasiThreadError};

use crate::js::{get, message, set, timer};
use crate::{modules, place};
use wasmux_kernel_shim::platform::{Interrupt, Stopped};
use web_sys::{
    DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, MessagePort, Worker, WorkerOptions,
    WorkerType,
};

/// Idle workers kept for reuse; more are retired.
const IDLE_WORKERS: usize = 4;

/// Work a worker runs, passed by pointer.
enum Job {
    Dedicated(Box<dyn FnOnce() + Send>),
    WithModule {
        task: Box<dyn FnOnce(wasmer::Module) + Send>,
        bytes: Bytes,
    },
    Wasm(Box<WasmJob>),
}

/// The Rust half of a [`TaskWasm`]; the module and memory travel as JS.
struct WasmJob {
    callbacks: TaskWasmCallbacks,
    env: WasiEnv,
    module_bytes: Bytes,
    globals: Option<StoreSnapshot>,
    memory: MemoryPlan,
    update_layout: bool,
    call_initialize: bool,
}

enum MemoryPlan {
    New,
    OfType(MemoryType),
    /// The memory that came with the message, of this type.
    Attach(MemoryType),
}

/// wasmer-wasix's task manager in a browser.
#[derive(Debug, Default, Clone)]
pub struct WebTasks;

thread_local! {
    /// Present in the kernel's worker only.
    static SCHEDULER: RefCell<Option<Scheduler>> = const { RefCell::new(None) };
    /// This worker's id and the number of its current job (0 in the kernel's).
    static WORKER: RefCell<(u32, u32)> = const { RefCell::new((0, 0)) };
}

/// What ends a job's bookkeeping if its worker is terminated (the job's own
/// stack is gone with the worker), by (worker, epoch); run last first, as
/// the stack would have unwound.
type Reaper = Box<dyn FnOnce() + Send>;
type Reapers = HashMap<(u32, u32), Vec<Reaper>>;
static REAPERS: Mutex<Option<Reapers>> = Mutex::new(None);

fn reapers<T>(f: impl FnOnce(&mut Reapers) -> T) -> T {
    let mut guard = REAPERS.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// Adds a reaper to the current job of this worker.
fn on_termination(reap: Reaper) {
    let (worker, epoch) = WORKER.with(|w| *w.borrow());
    reapers(|r| r.entry((worker, epoch)).or_default().push(reap));
}

/// Whether this worker is the kernel's, the scheduler.
fn is_scheduler() -> bool {
    SCHEDULER.with(|s| s.borrow().is_some())
}

/// Sends a module this worker compiled to the scheduler, which keeps it
/// for the workers it starts (see [`crate::modules`]).
fn share_with_scheduler(compiled: js_sys::Array, ptr: u32) {
    let msg = message("compiled");
    set_modules(&msg, &compiled, ptr);
    to_scheduler(msg);
}

/// Puts shared modules ([`crate::modules::adopt_modules`]'s arguments) in a
/// message.
fn set_modules(msg: &Object, compiled: &js_sys::Array, ptr: u32) {
    set(msg, "modules", compiled);
    set(msg, "modulesPtr", &ptr.into());
}

/// Sends a message to the scheduler: directly in the kernel's worker,
/// else to this worker's parent.
pub fn to_scheduler(msg: Object) {
    if is_scheduler() {
        Scheduler::handle(0, msg.into());
    } else {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let sent = match job_port(&msg) {
            Some(port) => scope.post_message_with_transfer(&msg, &js_sys::Array::of1(&port)),
            None => scope.post_message(&msg),
        };
        if let Err(e) = sent {
            tracing::error!("posting to the kernel's worker: {e:?}");
        }
    }
}

/// The port a job message carries its JS objects on, if any.
fn job_port(msg: &JsValue) -> Option<MessagePort> {
    get(msg, "port").dyn_into().ok()
}

fn post_job(job: Job, module: Option<JsValue>, memory: Option<JsValue>) {
    let msg = message("job");
    let ptr = Box::into_raw(Box::new(job)) as u32;
    set(&msg, "ptr", &ptr.into());
    if module.is_some() || memory.is_some() {
        match posted_on_a_channel(module, memory) {
            Ok(port) => set(&msg, "port", &port),
            Err(e) => tracing::error!("posting a job's module and memory: {e:?}"),
        }
    }
    to_scheduler(msg);
}

/// Posts `{module, memory}` on a new channel; returns its other end.
fn posted_on_a_channel(
    module: Option<JsValue>,
    memory: Option<JsValue>,
) -> Result<MessagePort, JsValue> {
    let channel = MessageChannel::new()?;
    let payload = Object::new();
    if let Some(m) = module {
        set(&payload, "module", &m);
    }
    if let Some(m) = memory {
        set(&payload, "memory", &m);
    }
    channel.port1().post_message(&payload)?;
    Ok(channel.port2())
}

impl VirtualTaskManager for WebTasks {
    fn sleep_now(&self, time: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>> {
        // The timer runs on the scheduler's event loop (a worker blocked in
        // a syscall has none); it wakes the sleeper from there.
        let state = Arc::new(Mutex::new(Sleep::default()));
        let msg = message("sleep");
        let ptr = Box::into_raw(Box::new(state.clone())) as u32;
        set(&msg, "ptr", &ptr.into());
        set(&msg, "ms", &(time.as_secs_f64() * 1000.0).into());
        to_scheduler(msg);
        Box::pin(SleepFuture(state))
    }

    fn task_shared(
        &self,
        task: Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        let msg = message("shared");
        let ptr = Box::into_raw(Box::new(task)) as u32;
        set(&msg, "ptr", &ptr.into());
        to_scheduler(msg);
        Ok(())
    }

    fn task_wasm(&self, task: TaskWasm) -> Result<(), WasiThreadError> {
        let TaskWasm {
            callbacks,
            env,
            module,
            globals,
            spawn_type,
            update_layout,
            call_initialize,
        } = task;
        let module_bytes = module
            .serialize()
            .map_err(|_| WasiThreadError::InvalidWasmContext)?;
        let (memory, js_memory) = match spawn_type {
            SpawnType::CreateMemory => (MemoryPlan::New, None),
            SpawnType::CreateMemoryOfType(ty) => (MemoryPlan::OfType(ty), None),
            SpawnType::AttachMemory(shared) => {
                let mut store = env.runtime().new_store();
                let memory = shared.attach(&mut store);
                let ty = memory.ty(&store);
                (MemoryPlan::Attach(ty), Some(memory.as_jsvalue(&store)))
            }
            SpawnType::NewLinkerInstanceGroup(..) => return Err(WasiThreadError::Unsupported),
        };
        let js_module: WebAssembly::Module = module.into();
        let job = Job::Wasm(Box::new(WasmJob {
            callbacks,
            env,
            module_bytes,
            globals,
            memory,
            update_layout,
            call_initialize,
        }));
        post_job(job, Some(js_module.into()), js_memory);
        Ok(())
    }

    fn task_dedicated(
        &self,
        task: Box<dyn FnOnce() + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        post_job(Job::Dedicated(task), None, None);
        Ok(())
    }

    fn thread_parallelism(&self) -> Result<usize, WasiThreadError> {
        Ok(8)
    }

    fn spawn_with_module(
        &self,
        module: wasmer::Module,
        task: Box<dyn FnOnce(wasmer::Module) + Send + 'static>,
    ) -> Result<(), WasiThreadError> {
        let bytes = module
            .serialize()
            .map_err(|_| WasiThreadError::InvalidWasmContext)?;
        let js_module: WebAssembly::Module = module.into();
        post_job(
            Job::WithModule { task, bytes },
            Some(js_module.into()),
            None,
        );
        Ok(())
    }
}

#[derive(Default)]
struct Sleep {
    done: bool,
    waker: Option<Waker>,
}

struct SleepFuture(Arc<Mutex<Sleep>>);

impl Future for SleepFuture {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if s.done {
            Poll::Ready(())
        } else {
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Knocks the kernel makes (one every 10 ms while a killed process lives)
/// before the process's worker is terminated.
///
/// A killed process that reaches a syscall ends there by itself, closing
/// what it holds the usual way; termination (only ever of guest code, see
/// [`place`]) is kept for code that makes no syscall, such as a loop of pure
/// computation.
const KNOCKS_BEFORE_TERMINATING: u32 = 10;

/// The interrupt of the current job: terminating its worker, from the
/// [`KNOCKS_BEFORE_TERMINATING`]th knock on, at a knock that finds it in
/// guest code; `stopped` is then called (by the scheduler).
pub fn interrupt_current(_store: &wasmer::Store, stopped: Stopped) -> Interrupt {
    let (worker, epoch) = WORKER.with(|w| *w.borrow());
    on_termination(stopped);
    let place = place::current();
    let knocks = std::sync::atomic::AtomicU32::new(0);
    Box::new(move || {
        let knock = knocks.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if knock < KNOCKS_BEFORE_TERMINATING || !place::claim(&place) {
            return;
        }
        let msg = message("kill");
        set(&msg, "worker", &worker.into());
        set(&msg, "epoch", &epoch.into());
        to_scheduler(msg);
    })
}

/// Runs a job in this worker (called by `worker.js`).
#[wasm_bindgen]
pub fn run_job(ptr: u32, epoch: u32, module: JsValue, memory: JsValue) {
    WORKER.with(|w| w.borrow_mut().1 = epoch);
    // SAFETY: the pointer came from `post_job`'s `Box::into_raw` in this
    // same shared memory, and each job message is delivered once.
    let job = unsafe { Box::from_raw(ptr as *mut Job) };
    match *job {
        Job::Dedicated(task) => task(),
        Job::WithModule { task, bytes } => {
            task((module.unchecked_into::<WebAssembly::Module>(), bytes).into())
        }
        Job::Wasm(job) => job.run(module, memory),
    }
}

impl WasmJob {
    fn run(self, module: JsValue, memory: JsValue) {
        let WasmJob {
            callbacks,
            env,
            module_bytes,
            globals,
            memory: plan,
            update_layout,
            call_initialize,
        } = self;
        let thread = env.thread.clone();
        let (worker, epoch) = WORKER.with(|w| *w.borrow());
        {
            // As wasmer-wasix ends a killed thread: its files closed, then
            // the thread (and so its waiters) told.
            let env = env.clone();
            on_termination(Box::new(move || {
                let closing = env.on_exit(Some(exit(137)));
                wasm_bindgen_futures::spawn_local(async move {
                    closing.await;
                    env.thread.set_status_finished(Ok(exit(137)));
                });
            }));
        }
        let module: wasmer::Module =
            (module.unchecked_into::<WebAssembly::Module>(), module_bytes).into();
        let make_memory = match plan {
            MemoryPlan::New => SpawnMemoryTypeOrStore::New,
            MemoryPlan::OfType(ty) => SpawnMemoryTypeOrStore::Type(ty),
            MemoryPlan::Attach(ty) => {
                let mut store = env.runtime().new_store();
                match Memory::from_jsvalue(&mut store, &ty, &memory) {
                    Ok(memory) => SpawnMemoryTypeOrStore::StoreAndMemory(store, memory),
                    Err(e) => {
                        tracing::error!("the process's memory did not arrive: {e:?}");
                        thread.set_status_finished(Ok(exit(134)));
                        return;
                    }
                }
            }
        };
        let (mut ctx, mut store) = match WasiFunctionEnv::new_with_store(
            module,
            env,
            globals,
            make_memory,
            update_layout,
            call_initialize,
            None,
        ) {
            Ok(x) => x,
            Err(e) => {
                tracing::error!("cannot instantiate the process: {e}");
                thread.set_status_finished(Ok(exit(134)));
                return;
            }
        };
        let trigger_result = callbacks
            .trigger
            .map(|trigger| futures::executor::block_on(trigger()));
        if let Some(pre_run) = callbacks.pre_run {
            futures::executor::block_on(pre_run(&mut ctx, &mut store));
        }
        (callbacks.run)(TaskWasmRunProperties {
            ctx,
            store,
            trigger_result,
            recycle: callbacks.recycle,
        });
        reapers(|r| r.remove(&(worker, epoch)));
    }
}

fn exit(code: u16) -> wasmer_wasix::wasmer_wasix_types::wasi::ExitCode {
    code.into()
}

/// Called by `worker.js` once the runtime is initialised in a new worker
/// (never the scheduler's): what it compiles goes to the scheduler.
#[wasm_bindgen]
pub fn worker_started(id: u32) {
    WORKER.with(|w| *w.borrow_mut() = (id, 0));
    modules::share_compiled_with(share_with_scheduler);
}

/// The kernel worker's pool of workers.
pub struct Scheduler {
    idle: Vec<(u32, Worker)>,
    busy: HashMap<u32, (Worker, u32)>,
    next_id: u32,
    next_epoch: u32,
    /// Messages the scheduler does not handle itself go here (the page).
    forward: js_sys::Function,
    /// Keeps each worker's message handler alive.
    handlers: HashMap<u32, Closure<dyn FnMut(MessageEvent)>>,
}

impl Scheduler {
    /// Makes this worker the scheduler.
    pub fn install(forward: js_sys::Function) {
        SCHEDULER.with(|s| {
            *s.borrow_mut() = Some(Scheduler {
                idle: Vec::new(),
                busy: HashMap::new(),
                next_id: 1,
                next_epoch: 1,
                forward,
                handlers: HashMap::new(),
            })
        });
    }

    /// A message from worker `from` (0: this worker).
    fn handle(from: u32, msg: JsValue) {
        let kind = get(&msg, "kind").as_string().unwrap_or_default();
        match kind.as_str() {
            "job" => Self::with(|s| s.dispatch(msg)),
            "shared" => {
                let ptr = get(&msg, "ptr").as_f64().unwrap_or(0.0) as u32;
                // SAFETY: from `task_shared`'s `Box::into_raw`, delivered once.
                let task = unsafe {
                    Box::from_raw(ptr as *mut Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>)
                };
                wasm_bindgen_futures::spawn_local(task());
            }
            "sleep" => {
                let ptr = get(&msg, "ptr").as_f64().unwrap_or(0.0) as u32;
                let ms = get(&msg, "ms").as_f64().unwrap_or(0.0);
                // SAFETY: from `sleep_now`'s `Box::into_raw`, delivered once.
                let state = unsafe { Box::from_raw(ptr as *mut Arc<Mutex<Sleep>>) };
                wasm_bindgen_futures::spawn_local(async move {
                    timer(Duration::from_secs_f64(ms / 1000.0)).await;
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.done = true;
                    if let Some(w) = s.waker.take() {
                        w.wake();
                    }
                });
            }
            "idle" => Self::with(|s| s.finished(from)),
            "compiled" => {
                let ptr = get(&msg, "modulesPtr").as_f64().unwrap_or(0.0) as u32;
                modules::adopt_modules(ptr, get(&msg, "modules").unchecked_into());
            }
            "kill" => {
                let worker = get(&msg, "worker").as_f64().unwrap_or(0.0) as u32;
                let epoch = get(&msg, "epoch").as_f64().unwrap_or(0.0) as u32;
                // The reapers run out of the scheduler's borrow: they post
                // messages (to the scheduler, a timer) themselves.
                if Self::with(|s| s.kill(worker, epoch)) {
                    for reap in reapers(|r| r.remove(&(worker, epoch)))
                        .into_iter()
                        .flatten()
                        .rev()
                    {
                        reap();
                    }
                }
            }
            _ => {
                let forward = Self::with(|s| s.forward.clone());
                if let Err(e) = forward.call1(&JsValue::NULL, &msg) {
                    tracing::error!("forwarding {kind}: {e:?}");
                }
            }
        }
    }

    fn with<T>(f: impl FnOnce(&mut Scheduler) -> T) -> T {
        SCHEDULER.with(|s| {
            f(s.borrow_mut()
                .as_mut()
                .expect("the kernel's worker is the scheduler"))
        })
    }

    fn dispatch(&mut self, msg: JsValue) {
        let (id, worker) = match self.idle.pop() {
            Some(w) => w,
            None => match self.spawn_worker() {
                Ok(w) => w,
                Err(e) => {
                    tracing::error!("cannot start a worker: {e:?}");
                    return;
                }
            },
        };
        let epoch = self.next_epoch;
        self.next_epoch += 1;
        set(msg.unchecked_ref(), "epoch", &epoch.into());
        let sent = match job_port(&msg) {
            Some(port) => worker.post_message_with_transfer(&msg, &js_sys::Array::of1(&port)),
            None => worker.post_message(&msg),
        };
        if let Err(e) = sent {
            tracing::error!("posting a job: {e:?}");
        }
        self.busy.insert(id, (worker, epoch));
    }

    fn spawn_worker(&mut self) -> Result<(u32, Worker), JsValue> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options("./worker.js", &options)?;
        let id = self.next_id;
        self.next_id += 1;
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            Scheduler::handle(id, e.data());
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        self.handlers.insert(id, handler);
        let init = message("init");
        set(&init, "module", &wasm_bindgen::module());
        set(&init, "memory", &wasm_bindgen::memory());
        set(&init, "id", &id.into());
        if let Some((compiled, ptr)) = modules::shared_with_new_worker() {
            set_modules(&init, &compiled, ptr);
        }
        worker.post_message(&init)?;
        Ok((id, worker))
    }

    fn finished(&mut self, id: u32) {
        if let Some((worker, _)) = self.busy.remove(&id) {
            if self.idle.len() < IDLE_WORKERS {
                self.idle.push((id, worker));
            } else {
                // The worker frees its stack and thread-local block in the
                // shared memory and closes itself; `terminate` would leak them.
                if let Err(e) = worker.post_message(&message("retire")) {
                    tracing::error!("retiring a worker: {e:?}");
                    worker.terminate();
                }
                self.handlers.remove(&id);
            }
        }
    }

    /// Terminates worker `id` if it still runs job `epoch`; says whether.
    fn kill(&mut self, id: u32, epoch: u32) -> bool {
        let running = self.busy.get(&id).is_some_and(|(_, e)| *e == epoch);
        if !running {
            return false;
        }
        if let Some((worker, _)) = self.busy.remove(&id) {
            // Its stack and thread-local block stay allocated: the job may
            // still be using them as the worker stops.
            worker.terminate();
            self.handlers.remove(&id);
        }
        true
    }
}
