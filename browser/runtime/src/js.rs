//! Small helpers for talking to JavaScript from any worker: plain objects
//! as messages, copies out of the shared memory, and timers on the
//! worker's event loop.

use std::time::Duration;

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsValue;

/// A message: a plain object `{kind}`.
pub(crate) fn message(kind: &str) -> Object {
    let o = Object::new();
    set(&o, "kind", &kind.into());
    o
}

/// A message for the page: `{kind, ...fields}`.
pub(crate) fn page_message(kind: &str, fields: &[(&str, JsValue)]) -> Object {
    let o = message(kind);
    for (k, v) in fields {
        set(&o, k, v);
    }
    o
}

pub(crate) fn set(o: &Object, key: &str, value: &JsValue) {
    Reflect::set(o, &key.into(), value).expect("setting a field of a plain object");
}

pub(crate) fn get(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A copy of `bytes` in an unshared buffer (a view of the shared memory
/// would hand the page all of it).
pub(crate) fn copy_out(bytes: &[u8]) -> Uint8Array {
    let array = Uint8Array::new_with_length(bytes.len() as u32);
    array.copy_from(bytes);
    array
}

/// A promise of `duration` on this worker's event loop.
pub(crate) async fn timer(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("setTimeout exists in workers")
            .into();
        let _ = set_timeout.call2(
            &JsValue::NULL,
            &resolve,
            &JsValue::from_f64(duration.as_secs_f64() * 1000.0),
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
