cimport cython

cdef class ArrayWakes:
    cdef public Py_ssize_t size
    cdef public double[:] t
    cdef public long long[:] eid, slot, free
    cdef public list fn, value

    cdef _grow(self)
    @cython.locals(ts=cython.double[:], eids=cython.longlong[:], slots=cython.longlong[:], s=Py_ssize_t, k=Py_ssize_t, p=Py_ssize_t)
    cpdef push(self, double t, long long eid, object fn, object value)
    @cython.locals(ts=cython.double[:], eids=cython.longlong[:], slots=cython.longlong[:], s=Py_ssize_t, n=Py_ssize_t, k=Py_ssize_t, c=Py_ssize_t, t=double, eid=cython.longlong, last=cython.longlong)
    cpdef tuple pop(self)

cdef inline bint _earlier(double t1, long long eid1, double t2, long long eid2) noexcept

@cython.locals(head=tuple, tw=double, tq=double)
cdef bint _wake_first(ArrayWakes wakes, list queue) except -1

@cython.locals(queue=list, wakes=ArrayWakes, n=Py_ssize_t, j=Py_ssize_t, t_arr=double, bound=double, t=double)
cpdef Py_ssize_t run_merged(object env, double until, const double[:] times, Py_ssize_t start, object arrive, const int[:] tags) except -1
