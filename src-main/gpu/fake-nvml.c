/*
 * Test-only stand-in for libnvidia-ml, compiled by nvml.test.ts when a C compiler is present.
 * It exists to check Crucible's koffi declarations marshal NVML's types (structs with char
 * arrays, unsigned long long, out pointers, opaque handles) through koffi's async calls, and that
 * refused queries become null. Signatures follow nvml.h; the values are invented and the tests
 * say so. Two GPUs: index 0 answers everything, index 1 refuses most queries the way a GeForce
 * card or a restricted container does. Only the throttle-reasons entry point of older drivers is
 * exported, to exercise the fallback from nvmlDeviceGetCurrentClocksEventReasons.
 */
#include <stdio.h>
#include <string.h>

typedef struct { int id; } dev_t_;
typedef dev_t_ *nvmlDevice_t;
static dev_t_ devices[2] = {{0}, {1}};
static int inits = 0;

typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;

#define OK 0
#define NOT_SUPPORTED 3
#define NO_PERMISSION 4
#define UNINITIALIZED 1
#define CHECK(d) if (!inits) return UNINITIALIZED; if ((d)->id != 0) return NOT_SUPPORTED;

int nvmlInit_v2(void) { inits++; return OK; }
int nvmlShutdown(void) { if (inits) inits--; return OK; }
int fake_nvml_init_count(void) { return inits; }
const char *nvmlErrorString(int r) {
  switch (r) {
    case OK: return "Success";
    case NOT_SUPPORTED: return "Not Supported";
    case NO_PERMISSION: return "Insufficient Permissions";
    default: return "Unknown Error";
  }
}
int nvmlSystemGetDriverVersion(char *v, unsigned int n) { snprintf(v, n, "%s", "999.12.34"); return OK; }
int nvmlSystemGetCudaDriverVersion_v2(int *v) { *v = 13010; return OK; }
int nvmlDeviceGetCount_v2(unsigned int *n) { if (!inits) return UNINITIALIZED; *n = 2; return OK; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) {
  if (i > 1) return 2;
  *d = &devices[i];
  return OK;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *s, unsigned int n) {
  snprintf(s, n, d->id == 0 ? "Fake GeForce RTX 4090" : "Fake Restricted GPU");
  return OK;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *s, unsigned int n) {
  if (d->id != 0) return NO_PERMISSION;
  snprintf(s, n, "GPU-11111111-2222-3333-4444-555555555555");
  return OK;
}
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *p) {
  memset(p, 0x7f, sizeof *p);
  snprintf(p->busIdLegacy, sizeof p->busIdLegacy, "0000:01:00.0");
  p->domain = 0; p->bus = d->id + 1; p->device = 0; p->pciDeviceId = 0x268410de; p->pciSubSystemId = 0;
  snprintf(p->busId, sizeof p->busId, "00000000:0%d:00.0", d->id + 1);
  return OK;
}
int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int *major, int *minor) {
  *major = d->id == 0 ? 8 : 7; *minor = d->id == 0 ? 9 : 5; return OK;
}
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  CHECK(d);
  m->total = 25757220864ULL; /* 24564 MiB */
  m->used = 1073741824ULL;   /* 1024 MiB */
  m->free = m->total - m->used;
  return OK;
}
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) { CHECK(d); *mw = 61234; return OK; }
int nvmlDeviceGetPowerManagementLimit(nvmlDevice_t d, unsigned int *mw) { CHECK(d); *mw = 450000; return OK; }
int nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t d, unsigned int *mw) { CHECK(d); *mw = 450000; return OK; }
int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t d, unsigned int *lo, unsigned int *hi) {
  CHECK(d); *lo = 150000; *hi = 600000; return OK;
}
int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) { CHECK(d); *mw = 450000; return OK; }
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) {
  if (sensor != 0) return 2;
  *t = d->id == 0 ? 47 : 30; return OK;
}
int nvmlDeviceGetFanSpeed(nvmlDevice_t d, unsigned int *pct) { CHECK(d); *pct = 35; return OK; }
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
  CHECK(d); *mhz = type == 1 ? 2520 : type == 2 ? 10501 : 0; return OK;
}
int nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
  CHECK(d); *mhz = type == 1 ? 3120 : type == 2 ? 10501 : 0; return OK;
}
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { CHECK(d); u->gpu = 97; u->memory = 41; return OK; }
int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned int *g) { CHECK(d); *g = 4; return OK; }
int nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned int *g) { CHECK(d); *g = 4; return OK; }
int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned int *w) { CHECK(d); *w = 8; return OK; }
int nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned int *w) { CHECK(d); *w = 16; return OK; }
int nvmlDeviceGetPerformanceState(nvmlDevice_t d, int *p) { *p = d->id == 0 ? 2 : 32; return OK; }
int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *m) {
  CHECK(d); *m = 0x4ULL | 0x100000000ULL; return OK;
}
/* Advances 50 J per call, so a benchmark sees energy used between two readings. */
static unsigned long long energy_mj = 123456789ULL;
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj) {
  CHECK(d); energy_mj += 50000ULL; *mj = energy_mj; return OK;
}
