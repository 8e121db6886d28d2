//! Per-process resource limits enforced by the engine.
//!
//! A process's memory is the one thing that could take the host down with it:
//! [`MemoryLimit`] caps every linear memory the engine creates, so a runaway
//! `malloc` in one process sees `memory.grow` fail (and its allocator return
//! NULL) long before the host runs short.

use std::ptr::NonNull;

use wasmer::sys::vm::{
    MemoryError, MemoryStyle, TableStyle, VMMemory, VMMemoryDefinition, VMTable, VMTableDefinition,
};
use wasmer::sys::{BaseTunables, Tunables};
use wasmer::{MemoryType, Pages, TableType};

/// Bytes in one WebAssembly page.
const PAGE: u64 = 64 * 1024;

/// Wasmer's own tunables, with every memory's maximum lowered to a limit.
#[derive(Clone)]
pub struct MemoryLimit {
    base: BaseTunables,
    max_pages: Pages,
}

impl MemoryLimit {
    /// A limit of `bytes` per memory (rounded down to whole pages, at least one).
    pub fn new(bytes: u64) -> MemoryLimit {
        let pages = (bytes / PAGE).clamp(1, u64::from(Pages::max_value().0)) as u32;
        MemoryLimit {
            base: BaseTunables::new(),
            max_pages: Pages(pages),
        }
    }

    fn limited(&self, ty: &MemoryType) -> Result<MemoryType, MemoryError> {
        if ty.minimum > self.max_pages {
            return Err(MemoryError::Generic(format!(
                "the program needs {} MiB of memory at start; the limit is {} MiB",
                (u64::from(ty.minimum.0) * PAGE) >> 20,
                (u64::from(self.max_pages.0) * PAGE) >> 20
            )));
        }
        let mut limited = *ty;
        limited.maximum = Some(ty.maximum.map_or(self.max_pages, |m| m.min(self.max_pages)));
        Ok(limited)
    }
}

impl Tunables for MemoryLimit {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        self.base.memory_style(memory)
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
    ) -> Result<VMMemory, MemoryError> {
        self.base.create_host_memory(&self.limited(ty)?, style)
    }

    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: the caller's guarantee for the location is passed on as is.
        unsafe {
            self.base
                .create_vm_memory(&self.limited(ty)?, style, vm_definition_location)
        }
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: as for memories.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }
}
