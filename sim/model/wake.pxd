cimport cython

@cython.locals(queue=list, n=Py_ssize_t, j=Py_ssize_t, t_arr=double, bound=double)
cpdef Py_ssize_t run_merged(object env, double until, const double[:] times, Py_ssize_t start, object arrive, const int[:] tags) except -1
