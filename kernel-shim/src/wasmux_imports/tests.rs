//! The ABI table against the other side of the ABI: the C prototypes the
//! compatibility layer calls through (`userland/compat/src/imports.h`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use wasmer::{Extern, Store, Type};

use super::*;
use crate::mounts::MountTable;
use crate::native::{KernelConfig, NativePlatform};

/// The C header declaring every `wasmux` import, one `WASMUX(name)` each.
const HEADER: &str = include_str!("../../../userland/compat/src/imports.h");

/// Where the compatibility layer's sources are.
fn compat_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../userland/compat")
}

type Signature = (Vec<Type>, Vec<Type>);

/// The wasm type a C parameter or result type passes as (wasm32).
fn wasm_type(c: &str) -> Option<Type> {
    let c = c.trim();
    if c.contains('*') {
        return Some(Type::I32);
    }
    // The type is what is left after dropping the parameter's name.
    let words: Vec<&str> = c.split_whitespace().filter(|w| *w != "const").collect();
    let ty = match words.as_slice() {
        [ty] | [ty, _] => *ty,
        _ => return None,
    };
    match ty {
        "int" | "uint32_t" | "int32_t" | "size_t" => Some(Type::I32),
        "int64_t" | "uint64_t" => Some(Type::I64),
        _ => None,
    }
}

/// Every `WASMUX(name) RET wasmux_name(PARAMS);` of the header.
fn c_prototypes() -> BTreeMap<String, Signature> {
    let mut out = BTreeMap::new();
    // Comments out, lines joined: a declaration may span lines.
    let mut text = String::new();
    let mut rest = HEADER;
    while let Some(at) = rest.find("/*") {
        text.push_str(&rest[..at]);
        rest = rest[at..].split_once("*/").map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    let text = text.replace('\n', " ");
    for declaration in text.split("WASMUX(").skip(1) {
        let (name, rest) = declaration.split_once(')').expect("WASMUX(name)");
        if name == "name" {
            continue; // the macro's own definition
        }
        let prototype = rest.split(';').next().expect("a declaration ends with ;");
        let (head, params) = prototype.split_once('(').expect("a prototype has (");
        let function = format!("wasmux_{name}");
        let result = head
            .trim()
            .strip_suffix(&function)
            .unwrap_or_else(|| panic!("WASMUX({name}) declares {head:?}: name it {function}"));
        let params = params.trim().trim_end_matches(')');
        let params = match params.trim() {
            "void" | "" => Vec::new(),
            list => list
                .split(',')
                .map(|p| wasm_type(p).unwrap_or_else(|| panic!("{name}: C type {p:?}")))
                .collect(),
        };
        let results = match result.trim() {
            "void" => Vec::new(),
            ty => vec![wasm_type(ty).unwrap_or_else(|| panic!("{name}: C result {ty:?}"))],
        };
        let previous = out.insert(name.to_string(), (params, results));
        assert!(previous.is_none(), "WASMUX({name}) is declared twice");
    }
    out
}

/// What the kernel registers: every function's wasm signature.
fn rust_signatures() -> BTreeMap<String, Signature> {
    let dir = tempfile::tempdir().unwrap();
    let config = KernelConfig::new(
        dir.path().join("root.redb"),
        dir.path().join("modules"),
        wasmux_vfs::Cred::root(),
    );
    let platform = Arc::new(NativePlatform::new(&config).unwrap());
    let hook = WasmuxImports::new(
        Arc::new(MountTable::new(Vec::new())),
        ProcessTable::new(platform),
        None,
    );
    let mut store = Store::default();
    let (imports, _env) = hook.imports(&mut wasmer::AsStoreMut::as_store_mut(&mut store));
    FUNCTIONS
        .iter()
        .map(|&name| {
            let Some(Extern::Function(function)) = imports.get_export(MODULE, name) else {
                panic!("{name} is in the table but not registered");
            };
            let ty = function.ty(&store);
            (
                name.to_string(),
                (ty.params().to_vec(), ty.results().to_vec()),
            )
        })
        .collect()
}

#[test]
fn the_c_prototypes_are_the_abi_table() {
    let c = c_prototypes();
    let rust = rust_signatures();
    assert!(rust.len() >= 40, "the table has {} functions", rust.len());
    for (name, signature) in &rust {
        match c.get(name) {
            Some(declared) => assert_eq!(
                declared, signature,
                "{name}: imports.h declares (params, results) {declared:?}, the kernel registers {signature:?}"
            ),
            None => panic!("{name} is in the ABI table but not declared in imports.h"),
        }
    }
    for name in c.keys() {
        assert!(
            rust.contains_key(name),
            "imports.h declares {name}, which the ABI table does not have"
        );
    }
}

#[test]
fn only_imports_h_declares_wasmux_imports() {
    let mut offenders = Vec::new();
    for sub in ["src", "include"] {
        for entry in std::fs::read_dir(compat_dir().join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "imports.h") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains("import_module(\"wasmux\")") || text.contains("WASMUX(") {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "wasmux imports declared outside imports.h: {offenders:?}"
    );
}

#[test]
fn the_parser_reads_what_the_header_writes() {
    assert_eq!(wasm_type("const char *path"), Some(Type::I32));
    assert_eq!(wasm_type("int64_t dev"), Some(Type::I64));
    assert_eq!(wasm_type("size_t"), Some(Type::I32));
    assert_eq!(wasm_type("struct x y"), None);
    let c = c_prototypes();
    assert_eq!(
        c.get("path_stat"),
        Some(&(vec![Type::I32; 4], vec![Type::I32])),
        "path_stat(const char *, size_t, int, void *) -> int"
    );
}
