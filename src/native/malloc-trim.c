/*
 * Control of glibc's heap that Node does not offer: malloc_trim(0), which gives the free memory
 * between live blocks back to the kernel (glibc returns only the top of its heap by itself), and
 * mallopt of the trim and mmap thresholds, which glibc otherwise raises for good the first time a
 * large mmapped block is freed, after which worker threads' arenas keep up to twice that block's
 * size free at their top (bench/SOAK.md; the values are chosen in src/server/malloc-trim.ts).
 * Elsewhere (musl, macOS, Windows) both calls do nothing and answer false.
 * Built at install when a C compiler is present; the broker runs the same without it.
 */
#include <stdlib.h>
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value Boolean(napi_env env, int value) {
  napi_value result;
  napi_get_boolean(env, value != 0, &result);
  return result;
}

static napi_value MallocTrim(napi_env env, napi_callback_info info) {
  (void)info;
#if defined(__GLIBC__)
  return Boolean(env, malloc_trim(0));
#else
  return Boolean(env, 0);
#endif
}

/* setThresholds(trimBytes, mmapBytes): fixed values, which also stop glibc adjusting them. */
static napi_value SetThresholds(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t trimBytes = 0, mmapBytes = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2 || napi_get_value_int32(env, argv[0], &trimBytes) != napi_ok || napi_get_value_int32(env, argv[1], &mmapBytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "setThresholds(trimBytes, mmapBytes) takes two integers");
    return NULL;
  }
#if defined(__GLIBC__)
  return Boolean(env, mallopt(M_TRIM_THRESHOLD, trimBytes) == 1 && mallopt(M_MMAP_THRESHOLD, mmapBytes) == 1);
#else
  return Boolean(env, 0);
#endif
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, MallocTrim, NULL, &fn);
  napi_set_named_property(env, exports, "mallocTrim", fn);
  napi_create_function(env, "setThresholds", NAPI_AUTO_LENGTH, SetThresholds, NULL, &fn);
  napi_set_named_property(env, exports, "setThresholds", fn);
  return exports;
}
