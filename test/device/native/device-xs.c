// The part of bc20-device-xs that is not @agoric/xsnap's worker (see
// device-xs.mk): xsnap-worker.c's machine creation lands here.
//
// Sizes. The worker hard-codes its creation record (a 4096-slot stack, a
// 32 MB first chunk...). deviceCreateMachine replaces the fields the firmware's
// manifest sets with values read from the environment, which the runner fills
// from manifest.json's `creation`; a missing or invalid value stops the worker
// with a message instead of silently running with xsnap's sizes.
//
// Intrinsics. On the device the running machine is a clone of the machine
// xsl prepared at build time: the intrinsics (Object.prototype and ~150 more)
// stay in that machine's stack, in flash, and the clone's own stack holds only
// a few slots of its own. A machine created from scratch, as xsnap's is, keeps
// the intrinsics at the top of its own stack. Running the firmware in a clone
// here would be the faithful answer, but this XS's garbage collector corrupts
// strings a clone shares with its parent once its chunks are compacted (seen
// with the manifest's small chunk sizes). So the machine is created from
// scratch with its stack enlarged by exactly the difference, measured once:
// a throwaway machine is created, shared and cloned, and the slots its stack
// holds at rest are compared with its clone's. The firmware gets the
// manifest's stack minus what a clone holds, as on the device, and the figures
// below are given as a clone would count them.
//
// Stack peak. XS checks every push against the->stackBottom and aborts with
// "stack overflow" below it, but keeps no low-water mark outside instrumented
// builds. The free part of the stack (below the->stack) is painted with a
// pattern; XS writes every slot it pushes or reserves (a pushed slot's `next`
// is cleared, reserved locals are zeroed), so scanning down from the current
// depth, the first slot still holding the pattern lies just below the deepest
// point reached since the last paint. (The scan goes down, not up from the
// bottom: XS's RegExp engine keeps its backtracking states in the free stack
// from the->stackBottom upwards.)
//   stackPeak()       slots in use at that deepest point, counted from the
//                     top of the stack (everything below the host included)
//   resetStackPeak()  paints the free part again
//   stackDepth()      slots in use now, at the call
//   stackSize()       the machine's stack in slots
#include "xsAll.h"
#include "xs.h"

static txSlot gxPaint;
static txInteger gxIntrinsicSlots = 0;

static txInteger deviceSize(const char* name)
{
	char* value = getenv(name);
	char* end = NULL;
	long size = value ? strtol(value, &end, 10) : 0;
	if (!value || !*value || *end || size <= 0 || size > 0x7fffffff) {
		fprintf(stderr, "bc20-device-xs: the environment variable %s must hold a positive size (the runner passes manifest.json's creation values), not %s\n", name, value ? value : "nothing");
		exit(1); // xsnap's E_BAD_USAGE
	}
	return (txInteger)size;
}

static void devicePaint(txMachine* the)
{
	txSlot* slot;
	for (slot = the->stackBottom; slot < the->stack; slot++)
		c_memcpy(slot, &gxPaint, sizeof(txSlot));
}

static void xs_stackPeak(xsMachine* the)
{
	txSlot* slot = the->stack;
	while (slot > the->stackBottom && c_memcmp(slot - 1, &gxPaint, sizeof(txSlot)))
		slot--;
	xsResult = xsInteger((txInteger)(the->stackTop - slot) - gxIntrinsicSlots);
}

static void xs_resetStackPeak(xsMachine* the)
{
	devicePaint(the);
}

static void xs_stackDepth(xsMachine* the)
{
	xsResult = xsInteger((txInteger)(the->stackTop - the->stack) - gxIntrinsicSlots);
}

static void xs_stackSize(xsMachine* the)
{
	xsResult = xsInteger((txInteger)(the->stackTop - the->stackBottom) - gxIntrinsicSlots);
}

xsMachine* deviceCreateMachine(xsCreation* creation, xsStringValue name, void* context, xsIdentifier profileID)
{
	xsCreation device = *creation;
	xsMachine* shared;
	xsMachine* clone;
	xsMachine* machine;
	device.stackCount = deviceSize("BC20_XS_STACK");
	device.initialChunkSize = deviceSize("BC20_XS_CHUNK_INITIAL");
	device.incrementalChunkSize = deviceSize("BC20_XS_CHUNK_INCREMENTAL");
	device.initialHeapCount = deviceSize("BC20_XS_HEAP_INITIAL");
	device.incrementalHeapCount = deviceSize("BC20_XS_HEAP_INCREMENTAL");
	shared = fxCreateMachine(creation, "bc20-device-xs intrinsics", context, profileID);
	gxIntrinsicSlots = (txInteger)(shared->stackTop - shared->stack);
	xsShareMachine(shared);
	clone = xsCloneMachine(creation, shared, "bc20-device-xs clone", context);
	if (clone) {
		gxIntrinsicSlots -= (txInteger)(clone->stackTop - clone->stack);
		xsDeleteMachine(clone);
	}
	xsDeleteMachine(shared);
	if (!clone || gxIntrinsicSlots <= 0) {
		fprintf(stderr, "bc20-device-xs: cannot measure the stack the intrinsics take\n");
		exit(11);
	}
	device.stackCount += gxIntrinsicSlots;
	machine = fxCreateMachine(&device, name, context, profileID);
	if (!machine) {
		fprintf(stderr, "bc20-device-xs: cannot create the machine (stack %d slots, chunk %d + %d bytes, heap %d + %d slots)\n",
			(int)device.stackCount, (int)device.initialChunkSize, (int)device.incrementalChunkSize, (int)device.initialHeapCount, (int)device.incrementalHeapCount);
		exit(11);
	}
	c_memset(&gxPaint, 0xA5, sizeof(txSlot));
	xsBeginHost(machine);
	{
		xsResult = xsNewHostFunction(xs_stackPeak, 0);
		xsDefine(xsGlobal, xsID("stackPeak"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(xs_resetStackPeak, 0);
		xsDefine(xsGlobal, xsID("resetStackPeak"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(xs_stackDepth, 0);
		xsDefine(xsGlobal, xsID("stackDepth"), xsResult, xsDontEnum);
		xsResult = xsNewHostFunction(xs_stackSize, 0);
		xsDefine(xsGlobal, xsID("stackSize"), xsResult, xsDontEnum);
	}
	xsEndHost(machine);
	devicePaint(machine);
	return machine;
}
