"""The tables the Python checks match resolved names against (see names.py for how a name is
resolved). Grouped by the cheat each row stands for."""

from __future__ import annotations

import re
import sys

# Modules whose attributes a candidate has no honest reason to assign: the runtime, the
# standard library the harness uses, and test runners. Any standard-library module counts.
RUNNERS = frozenset({"pytest", "_pytest", "pluggy", "unittest", "hypothesis", "numpy"})
STDLIB = frozenset(sys.stdlib_module_names) | {"builtins"}

EXITS = frozenset({"os.abort", "os.kill", "os.killpg", "posix.kill", "posix.abort",
                   "signal.raise_signal", "signal.pthread_kill", "os.fork", "os.forkpty",
                   "posix.fork"})
EXIT_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn", "posix.exec", "posix.posix_spawn")
AT_EXIT = frozenset({"weakref.finalize", "threading._register_atexit", "signal.signal",
                     "signal.setitimer", "signal.alarm", "signal.set_wakeup_fd",
                     "sys.exitfunc"})
TRACES = frozenset({"sys.settrace", "sys.setprofile", "threading.settrace",
                    "threading.setprofile", "threading.settrace_all_threads",
                    "threading.setprofile_all_threads", "sys.addaudithook",
                    "sys.call_tracing"})
CHDIR = frozenset({"os.chdir", "os.fchdir", "posix.chdir", "posix.fchdir", "contextlib.chdir"})
EVALUATES = frozenset({"builtins.exec", "builtins.eval", "builtins.compile"})
DECODES = frozenset({"builtins.bytes.fromhex", "builtins.bytearray.fromhex", "codecs.decode",
                     "codecs.getdecoder", "codecs.lookup", "binascii.unhexlify",
                     "binascii.a2b_hex", "binascii.a2b_base64", "binascii.a2b_uu",
                     "zlib.decompress", "bz2.decompress", "lzma.decompress", "gzip.decompress",
                     "marshal.loads", "marshal.load", "pickle.loads", "pickle.load",
                     "types.CodeType", "types.FunctionType"})
CODECS = frozenset({"rot13", "rot_13", "hex", "hex_codec", "base64", "base64_codec", "zlib",
                    "zlib_codec", "bz2", "uu", "quopri"})
IMPORTERS = frozenset({"builtins.__import__", "importlib.import_module",
                       "importlib.__import__"})
LOADERS = ("importlib.util.spec_from_file_location", "importlib.util.spec_from_loader",
           "importlib.util.module_from_spec", "importlib.machinery", "runpy.", "imp.",
           "zipimport.")
FRAMES = frozenset({"sys._getframe", "sys._current_frames", "inspect.currentframe",
                    "inspect.stack", "inspect.getouterframes", "inspect.getframeinfo",
                    "inspect.trace", "traceback.extract_stack", "traceback.walk_stack"})
FRAME_ATTRS = frozenset({"f_back", "f_locals", "f_globals", "gi_frame", "tb_frame",
                         "cr_frame"})
HARNESS = frozenset({"sys.argv", "sys.orig_argv", "os.getcwd", "os.getcwdb", "posix.getcwd",
                     "pathlib.Path.cwd", "os.uname", "platform.node", "platform.uname",
                     "socket.gethostname", "__main__"})
# Words that name who runs the code; `\bhone_` so that "phone_number" is not one.
HARNESS_WORDS = re.compile(r"pytest|unittest|holdout|hone-sandbox|\bhone_", re.IGNORECASE)
# Modules that rewrite the interpreter itself (memory, frames, small-int cache).
LOW_LEVEL = ("ctypes", "_ctypes", "cffi")
LISTS = frozenset({"os.listdir", "os.scandir", "os.walk", "os.fwalk", "glob.glob",
                   "glob.iglob", "posix.listdir", "posix.scandir"})
LIST_METHODS = frozenset({"glob", "rglob", "iterdir"})
STDOUT = frozenset({"os.write", "posix.write", "sys.__stdout__", "os.dup2", "posix.dup2"})
# Patching helpers: a string target ("time.perf_counter") does what an assignment would.
PATCHERS = ("unittest.mock.patch", "mock.patch", "pytest.MonkeyPatch", "_pytest.monkeypatch")
MUTATORS = frozenset({"update", "__setitem__", "setdefault", "pop", "popitem", "clear",
                      "__delitem__", "insert", "append", "extend", "remove"})
HOOK_LISTS = frozenset({"sys.modules", "sys.meta_path", "sys.path_hooks", "gc.callbacks",
                        "sys.path_importer_cache"})
SETATTR = frozenset({"builtins.setattr", "builtins.delattr", "builtins.object.__setattr__",
                     "builtins.type.__setattr__", "builtins.object.__delattr__"})
DUNDERS = frozenset({"__eq__", "__ne__", "__hash__", "__bool__", "__instancecheck__",
                     "__subclasscheck__", "__class__"})
VALUE_TYPES = frozenset({"builtins.int", "builtins.float", "builtins.str", "builtins.bytes",
                         "builtins.complex", "builtins.bool", "builtins.bytearray",
                         "fractions.Fraction", "decimal.Decimal"})
BROAD = frozenset({"builtins.BaseException", "builtins.Exception", "builtins.SystemExit",
                   "builtins.AssertionError", "builtins.KeyboardInterrupt"})
HOOK_NAMES = ("sitecustomize", "usercustomize", "conftest.py", ".pth", "pytest.ini",
              "__pycache__", ".pyc")
# Calls whose string arguments are paths: where "tests" or "data" means a folder.
PATH_CALLS = frozenset({"open", "Path", "PurePath", "PosixPath", "join", "joinpath",
                        "listdir", "scandir", "walk", "glob", "iglob", "rglob", "exists",
                        "isfile", "isdir", "read_text", "read_bytes", "loadtxt", "genfromtxt",
                        "load", "read_csv", "fromfile", "stat", "chdir", "relpath",
                        "abspath", "realpath", "FileIO", "io.open", "readlines", "lstat",
                        "access", "symlink", "link", "rename", "replace", "copy",
                        "copyfile", "copytree", "move"})


def guarded(origin: str) -> bool:
    """Whether `origin` lies in a module a candidate has no business patching."""
    top = origin.split(".", 1)[0]
    return top in STDLIB or top in RUNNERS or top == "<dynamic>"
