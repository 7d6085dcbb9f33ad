"""The kernel machinery a build runs notebooks with, on other packages' public doors only.

    kernels        start a report's kernel, connect to it while the caller works, stop it
    kernelspec     the report kernels' specs, served by a KernelSpecManager subclass
    provisioners   the jupyter_client provisioners that start them (entry points)
    template       the warm template kernels are forked from (multiprocessing's fork server)
    templateprocess, warm   what the template imports; kernel: a kernel in a new interpreter
    onerequest, cellrunner  the papermill engine (entry point): all cells in one request
    isolation      a kernel that serves several reports put back between them
    lifetime       no process outlives the command (prctl: death signal, subreaper)
    scratch        the private temp folders kernels use, cleared once their owner has ended
    collector      garbage-collector settings for short-lived build processes
"""
