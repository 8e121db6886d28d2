//! Random operation sequences, run at once on the vfs, on the reference model
//! and on the host's real filesystem (in a temporary directory). After every
//! operation the three must agree on the outcome (the same errno, the same bytes
//! read); at the end on the whole tree. Write-back batches taken along the way
//! must rebuild exactly the live filesystem, which must pass `fsck`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::model::Model;
use common::*;
use proptest::prelude::*;
use wasmux_vfs::{fsck, Image, SystemClock, Vfs};

static OPS_RUN: AtomicUsize = AtomicUsize::new(0);

fn run_sequence(ops: &[Op]) -> Result<(), TestCaseError> {
    let host = tempfile::tempdir().expect("temp dir");
    let vfs = new_vfs();
    let mut model = Model::new();
    let mut stored = Image::default();
    for (i, op) in ops.iter().enumerate() {
        let want = apply_host(host.path(), op);
        let got_model = apply_model(&mut model, op);
        let got_vfs = apply_vfs(&vfs, op);
        prop_assert_eq!(&got_model, &want, "model vs host at step {}: {:?}", i, op);
        prop_assert_eq!(&got_vfs, &want, "vfs vs host at step {}: {:?}", i, op);
        if let Op::Flush = op {
            stored.apply(&vfs.take_batch());
        }
    }
    OPS_RUN.fetch_add(ops.len(), Ordering::Relaxed);

    let tree = vfs_tree(&vfs);
    prop_assert_eq!(&tree, &host_tree(host.path()), "vfs tree vs host tree");
    prop_assert_eq!(&tree, &model.tree(), "vfs tree vs model tree");

    stored.apply(&vfs.take_batch());
    prop_assert_eq!(&stored, &vfs.to_image(), "batches rebuild the live state");
    if let Err(e) = fsck(&stored) {
        return Err(TestCaseError::fail(format!("fsck: {e}")));
    }
    let reloaded = Vfs::from_image(stored, Arc::new(SystemClock)).expect("reload");
    prop_assert_eq!(vfs_tree(&reloaded), tree, "reloaded tree");
    Ok(())
}

#[test]
fn vfs_agrees_with_model_and_host() {
    let config = ProptestConfig {
        cases: 400,
        ..ProptestConfig::default()
    };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..80))| {
        run_sequence(&ops)?;
    });
    let total = OPS_RUN.load(Ordering::Relaxed);
    eprintln!("differential: {total} operations on vfs, model and host");
    assert!(total >= 10_000, "only {total} operations were run");
}
